/**
 * `/__sandbox/*`: the control endpoints that exist only in the sandbox, for people and tests driving
 * it over HTTP (`npm run sandbox`): faults, misbehaviours, key rotation, tokens, the request log.
 */

import express, { Router } from 'express';
import { type FaultControl, type FaultRule, parseFaultRule } from './faults.js';
import { type AsMisbehaviour, parseMisbehaviour } from './misbehave.js';
import type { RequestLog } from './request-log.js';
import type { IssueTokenOptions, SandboxKeys } from './types.js';

export interface ControlDeps {
  faults: FaultControl;
  misbehave: AsMisbehaviour;
  keys: SandboxKeys;
  requestLog: RequestLog;
  issueToken(options: IssueTokenOptions): Promise<string>;
}

function parseRules(body: unknown): { rules: FaultRule[] } | { error: string } {
  const list = Array.isArray(body) ? body : ((body as { rules?: unknown } | null)?.rules ?? body);
  const items = Array.isArray(list) ? list : [list];
  const rules: FaultRule[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = parseFaultRule(item, index);
    if ('error' in parsed) return parsed;
    rules.push(parsed.rule);
  }
  return { rules };
}

/** The control routes. */
export function controlRouter(deps: ControlDeps): Router {
  const router = Router();
  router.use('/__sandbox', express.json({ limit: '64kb' }));

  router.get('/__sandbox/faults', (_req, res) => {
    res.json({ rules: deps.faults.rules, injected: deps.faults.injected });
  });
  /** Body: one rule, an array of rules, or `{ rules: [...] }`; replaces the rules (`?append=1` adds). */
  router.post('/__sandbox/faults', (req, res) => {
    const parsed = parseRules(req.body);
    if ('error' in parsed) return void res.status(400).json({ message: parsed.error });
    if (req.query.append) for (const rule of parsed.rules) deps.faults.add(rule);
    else deps.faults.set(parsed.rules);
    res.json({ rules: deps.faults.rules });
  });
  router.delete('/__sandbox/faults', (_req, res) => {
    deps.faults.clear();
    res.status(204).end();
  });

  router.get('/__sandbox/misbehave', (_req, res) => {
    res.json(deps.misbehave.current);
  });
  router.post('/__sandbox/misbehave', (req, res) => {
    const parsed = parseMisbehaviour(req.body);
    if ('error' in parsed) return void res.status(400).json({ message: parsed.error });
    deps.misbehave.set(parsed.settings);
    res.json(deps.misbehave.current);
  });
  router.delete('/__sandbox/misbehave', (_req, res) => {
    deps.misbehave.reset();
    res.status(204).end();
  });

  router.post('/__sandbox/keys/rotate', async (req, res) => {
    const kid = await deps.keys.rotate({ dropOld: req.body?.dropOld === true });
    res.json({ kid, kids: deps.keys.kids });
  });

  /** Body: `{ sub, scope?, aud?, expiresIn? }`: a token without an OAuth flow, for curl and the demo. */
  router.post('/__sandbox/tokens', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.sub !== 'string' || body.sub === '') {
      return void res.status(400).json({ message: 'sub is required (e.g. "alice")' });
    }
    const token = await deps.issueToken({
      sub: body.sub,
      scope: typeof body.scope === 'string' ? body.scope : undefined,
      aud: typeof body.aud === 'string' || Array.isArray(body.aud) ? (body.aud as string | string[]) : undefined,
      expiresIn: typeof body.expiresIn === 'number' ? body.expiresIn : undefined,
    });
    res.set('Cache-Control', 'no-store').json({ access_token: token, token_type: 'Bearer' });
  });

  router.get('/__sandbox/requests', (_req, res) => {
    res.json({
      total: deps.requestLog.total,
      duplicateWrites: deps.requestLog.duplicateWrites(),
      entries: deps.requestLog.entries().slice(-200),
    });
  });
  router.delete('/__sandbox/requests', (_req, res) => {
    deps.requestLog.clear();
    res.status(204).end();
  });
  return router;
}
