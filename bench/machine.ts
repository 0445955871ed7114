/** What the benchmark ran on: date, machine, Node, commit and how busy the machine was. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { REPO_ROOT } from './processes/spawn.js';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** Short commit hash, with "+ uncommitted changes" when the tree differs from it. */
  commit: string;
  loadBefore: number[];
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Read-only git queries only: the benchmark never changes the repository. */
function commit(): string {
  const hash = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  return git(['status', '--porcelain', '--untracked-files=no']) ? `${hash} + uncommitted changes` : hash;
}

export function describeMachine(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    commit: commit(),
    loadBefore: loadavg(),
  };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function formatLoad(load: number[]): string {
  return load.map((value) => value.toFixed(2)).join(', ');
}
