/** What `npm run bench:compare` prints: per transport, each variant's rounds and its difference from the first. */
import { number, signedSpreadText, spreadText, table } from '../format.js';
import { TARGET_LABELS } from '../measures/throughput.js';
import { paired, spread } from '../stats.js';
import type { BridgeTarget } from './options.js';

/** One measured load run of one variant. */
export interface RoundResult {
  /** CPU time of the bridge per call answered, in µs. */
  cpuPerCallUs: number;
  requestsPerSecond: number;
  errors: number;
  firstError?: string;
}

/** Every round of every variant on one transport, variants in command-line order. */
export interface TransportResults {
  transport: BridgeTarget;
  variants: Array<{ label: string; rounds: RoundResult[] }>;
}

/** "5 of 6 rounds": how often the variant spent less CPU per call than the first in the same round. */
function lowerIn(differences: number[]): string {
  return `${differences.filter((difference) => difference < 0).length} of ${differences.length} rounds`;
}

function transportTable({ variants }: TransportResults): string {
  const [first] = variants;
  if (!first) throw new Error('no variants to summarise');
  const firstCpu = spread(first.rounds.map((round) => round.cpuPerCallUs));
  const rows = variants.map(({ label, rounds }, index) => {
    const cpu = spread(rounds.map((round) => round.cpuPerCallUs));
    const errors = rounds.reduce((sum, round) => sum + round.errors, 0);
    const cells = [
      `\`${label}\``,
      spreadText(cpu),
      spreadText(spread(rounds.map((round) => round.requestsPerSecond))),
      number(errors),
      rounds.map((round) => number(round.cpuPerCallUs)).join(' '),
    ];
    if (index === 0) return [...cells, '(the reference)', ''];
    const difference = paired(cpu, firstCpu, (mine, reference) => mine - reference);
    const relative = paired(cpu, firstCpu, (mine, reference) => (100 * (mine - reference)) / reference);
    return [
      ...cells,
      `${signedSpreadText(difference, 0)} µs, ${signedSpreadText(relative, 1)} %`,
      lowerIn(difference.runs),
    ];
  });
  return table(
    [
      'variant',
      'bridge CPU µs/call',
      'req/s',
      'errors',
      'µs/call by round',
      'minus the first, same round',
      'lower than the first',
    ],
    rows,
  );
}

/** Markdown: one section per transport; medians and min–max over the rounds, differences taken round by round. */
export function renderComparison(results: TransportResults[], how: string): string {
  const sections = results.map((result) => {
    const errors = result.variants.flatMap(({ label, rounds }) =>
      rounds.filter((round) => round.firstError).map((round) => `- \`${label}\`: ${round.firstError}`),
    );
    const heading = `## ${TARGET_LABELS[result.transport]}`;
    return [heading, '', transportTable(result), ...(errors.length > 0 ? ['', 'Errors:', ...errors] : [])].join('\n');
  });
  return [`# Bridge comparison`, '', how, '', ...sections.flatMap((section) => [section, ''])].join('\n');
}
