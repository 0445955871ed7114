/**
 * Faults on demand: per route and method, added latency, an error status, 429 with Retry-After,
 * a reset connection or a hang, always or with a seeded probability. Exists only in the sandbox.
 */

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createRandom } from './random.js';

export type FaultKind = 'latency' | 'error' | 'rate_limit' | 'reset' | 'hang';

const FAULT_KINDS: readonly FaultKind[] = ['latency', 'error', 'rate_limit', 'reset', 'hang'];

/** One fault rule. */
export interface FaultRule {
  /**
   * Which requests: an API operationId (`listCompanies`), a path glob starting with `/`
   * (`*` one segment, `**` any: `/api/v1/companies/*\/warehouses`, `/oauth2/token`, `/**`), or `*` for all.
   */
  route: string;
  /** HTTP method; any when unset. */
  method?: string;
  kind: FaultKind;
  /** Delay before answering, ms: the whole fault for `latency`, a delay before the others. */
  latencyMs?: number;
  /** Status of an `error` fault; default 500. */
  status?: number;
  /** `Retry-After` of a `rate_limit` fault, seconds; default 1. */
  retryAfterSeconds?: number;
  /** Chance that a matching request gets the fault, 0–1; default 1. Drawn from the seeded fault stream. */
  probability?: number;
  /** Stop after injecting this many times; unlimited when unset. */
  times?: number;
}

/** Live control of the faults: in-process, and through `/__sandbox/faults`. */
export interface FaultControl {
  /** Rules now in force, in evaluation order. */
  readonly rules: readonly FaultRule[];
  /** How many faults of each kind were injected since start (or the last `clear`). */
  readonly injected: Readonly<Record<FaultKind, number>>;
  /** Replaces every rule. */
  set(rules: FaultRule | readonly FaultRule[]): void;
  /** Appends a rule. */
  add(rule: FaultRule): void;
  /** Removes every rule and zeroes the counters. */
  clear(): void;
}

/** Checks a rule sent as JSON; returns an error naming the bad field. */
export function parseFaultRule(value: unknown, index = 0): { rule: FaultRule } | { error: string } {
  const at = `rules[${index}]`;
  if (typeof value !== 'object' || value === null) return { error: `${at} must be an object` };
  const rule = value as Record<string, unknown>;
  if (typeof rule.route !== 'string' || rule.route === '') return { error: `${at}.route must be a non-empty string` };
  if (!FAULT_KINDS.includes(rule.kind as FaultKind)) {
    return { error: `${at}.kind must be one of ${FAULT_KINDS.join(', ')}` };
  }
  if (rule.method !== undefined && typeof rule.method !== 'string') return { error: `${at}.method must be a string` };
  for (const field of ['latencyMs', 'retryAfterSeconds', 'times'] as const) {
    const n = rule[field];
    if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n) || n < 0)) {
      return { error: `${at}.${field} must be a number >= 0` };
    }
  }
  if (rule.status !== undefined && (typeof rule.status !== 'number' || rule.status < 400 || rule.status > 599)) {
    return { error: `${at}.status must be an HTTP error status (400–599)` };
  }
  const p = rule.probability;
  if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1)) {
    return { error: `${at}.probability must be a number from 0 to 1` };
  }
  return { rule: rule as unknown as FaultRule };
}

function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .split(/(\*\*|\*)/)
    .map((part) => {
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`);
}

interface ActiveRule {
  rule: FaultRule;
  matchesPath?: RegExp;
  remaining: number;
}

function emptyCounts(): Record<FaultKind, number> {
  return { latency: 0, error: 0, rate_limit: 0, reset: 0, hang: 0 };
}

/** The control plus the express middleware that applies it. */
export function createFaults(options: {
  seed: number;
  /** The API operationId of a request, when it is an API request. */
  operationOf: (method: string, path: string) => string | undefined;
}): { control: FaultControl; middleware: RequestHandler } {
  const random = createRandom(options.seed);
  let active: ActiveRule[] = [];
  let injected = emptyCounts();
  const activate = (rule: FaultRule): ActiveRule => ({
    rule: { ...rule },
    matchesPath: rule.route.startsWith('/') ? globToRegExp(rule.route) : undefined,
    remaining: rule.times ?? Number.POSITIVE_INFINITY,
  });

  const control: FaultControl = {
    get rules() {
      return active.map((entry) => entry.rule);
    },
    get injected() {
      return injected;
    },
    set(rules) {
      active = (Array.isArray(rules) ? rules : [rules as FaultRule]).map(activate);
    },
    add(rule) {
      active.push(activate(rule));
    },
    clear() {
      active = [];
      injected = emptyCounts();
    },
  };

  const matches = (entry: ActiveRule, method: string, path: string, operationId: string | undefined): boolean => {
    if (entry.remaining <= 0) return false;
    if (entry.rule.method && entry.rule.method.toUpperCase() !== method) return false;
    if (entry.matchesPath) return entry.matchesPath.test(path);
    return entry.rule.route === '*' || entry.rule.route === operationId;
  };

  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (active.length === 0 || req.path.startsWith('/__sandbox')) return next();
    const operationId = options.operationOf(req.method, req.path);
    let delay = 0;
    let terminal: FaultRule | undefined;
    for (const entry of active) {
      if (!matches(entry, req.method, req.path, operationId)) continue;
      if (entry.rule.probability !== undefined && !random.chance(entry.rule.probability)) continue;
      entry.remaining--;
      injected[entry.rule.kind]++;
      delay += entry.rule.latencyMs ?? 0;
      if (entry.rule.kind !== 'latency') {
        terminal = entry.rule;
        break;
      }
    }
    if (delay === 0 && !terminal) return next();
    res.locals.fault = terminal?.kind ?? 'latency';
    const act = () => applyFault(terminal, req, res, next);
    if (delay > 0) setTimeout(act, delay).unref();
    else act();
  };
  return { control, middleware };
}

function applyFault(rule: FaultRule | undefined, req: Request, res: Response, next: NextFunction): void {
  if (!rule || rule.kind === 'latency') {
    next();
    return;
  }
  switch (rule.kind) {
    case 'error':
      res.status(rule.status ?? 500).json({ message: 'Server Error (injected by the sandbox)' });
      return;
    case 'rate_limit':
      res
        .status(429)
        .set('Retry-After', String(rule.retryAfterSeconds ?? 1))
        .json({ message: 'Too Many Attempts.' });
      return;
    case 'reset':
      req.socket.destroy();
      return;
    case 'hang':
      // Never answer: the socket stays open until the client gives up or the sandbox closes.
      return;
  }
}
