/** Faults on demand, in-process and through the control endpoint: latency, error, 429, reset, hang, probability. */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';

let sandbox: Sandbox;
let auth: { authorization: string };

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  auth = { authorization: `Bearer ${await sandbox.issueToken({ sub: 'alice' })}` };
});
afterEach(() => {
  sandbox.faults.clear();
});
afterAll(async () => {
  await sandbox.close();
});

const reports = () => fetch(`${sandbox.url}/api/v1/reports`, { headers: auth });

describe('fault kinds', () => {
  it('latency delays the answer and still answers', async () => {
    sandbox.faults.set({ route: 'listReports', kind: 'latency', latencyMs: 250 });
    const started = performance.now();
    const response = await reports();
    expect(response.status).toBe(200);
    // A lower bound only: the delay is a floor, however slow the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(sandbox.faults.injected.latency).toBe(1);
  });

  it('error answers 500 (or the configured status) in NeonPanel’s shape', async () => {
    sandbox.faults.set({ route: 'listReports', kind: 'error' });
    const response = await reports();
    expect(response.status).toBe(500);
    expect(await response.json()).toHaveProperty('message');
    sandbox.faults.set({ route: 'listReports', kind: 'error', status: 503 });
    expect((await reports()).status).toBe(503);
  });

  it('rate_limit answers 429 with Retry-After', async () => {
    sandbox.faults.set({ route: 'listReports', kind: 'rate_limit', retryAfterSeconds: 7 });
    const response = await reports();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('reset destroys the connection', async () => {
    sandbox.faults.set({ route: 'listReports', kind: 'reset' });
    await expect(reports()).rejects.toThrow();
    const entry = sandbox.requestLog.entries().at(-1);
    expect(entry).toMatchObject({ operationId: 'listReports', status: 0, fault: 'reset' });
  });

  it('hang never answers (the client gives up), and close() still returns', async () => {
    const own = await startSandbox({ port: 0 });
    own.faults.set({ route: 'listReports', kind: 'hang' });
    const token = await own.issueToken({ sub: 'alice' });
    const hung = fetch(`${own.url}/api/v1/reports`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow(/timeout|abort/i);
    const stillHanging = fetch(`${own.url}/api/v1/reports`, { headers: { authorization: `Bearer ${token}` } });
    await own.close();
    await expect(stillHanging).rejects.toThrow();
  });
});

describe('matching', () => {
  it('matches path globs and methods, and leaves other routes alone', async () => {
    sandbox.faults.set({ route: '/api/v1/companies/*/warehouses', method: 'GET', kind: 'error' });
    const company = sandbox.users.alice?.companyUuids[0];
    expect((await fetch(`${sandbox.url}/api/v1/companies/${company}/warehouses`, { headers: auth })).status).toBe(500);
    expect((await fetch(`${sandbox.url}/api/v1/companies/${company}/inventory-items`, { headers: auth })).status).toBe(
      200,
    );
    expect((await reports()).status).toBe(200);
  });

  it('applies to the authorization server too', async () => {
    sandbox.faults.set({ route: '/oauth2/token', kind: 'error', status: 502 });
    const response = await fetch(`${sandbox.url}/oauth2/token`, { method: 'POST' });
    expect(response.status).toBe(502);
    expect((await fetch(`${sandbox.url}/.well-known/jwks.json`)).status).toBe(200);
  });

  it('stops after `times` injections', async () => {
    sandbox.faults.set({ route: 'listReports', kind: 'error', times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await reports()).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('injects with a seeded probability: some requests fail, the same seed fails the same ones', async () => {
    const run = async (target: Sandbox) => {
      target.faults.set({ route: 'listReports', kind: 'error', probability: 0.3 });
      const token = await target.issueToken({ sub: 'alice' });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) {
        statuses.push(
          (await fetch(`${target.url}/api/v1/reports`, { headers: { authorization: `Bearer ${token}` } })).status,
        );
      }
      return statuses;
    };
    const a = await startSandbox({ port: 0, faultSeed: 42 });
    const b = await startSandbox({ port: 0, faultSeed: 42 });
    try {
      const first = await run(a);
      expect(first.filter((status) => status === 500).length).toBeGreaterThan(5);
      expect(first.filter((status) => status === 200).length).toBeGreaterThan(20);
      expect(await run(b)).toEqual(first);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('the 1.2 document operations', () => {
  const bills = () => `${sandbox.url}/api/v1/companies/${sandbox.users.alice?.companyUuids[0]}/bills`;
  const createBill = (ref: string, requestId: string) =>
    fetch(bills(), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ ref_number: ref, date: '2025-10-01' }),
    });
  const listed = async (ref: string) => {
    const response = await fetch(`${bills()}?search=${ref}`, { headers: auth });
    return ((await response.json()) as { data: unknown[] }).data.length;
  };

  it('a write meeting a 500 or a reset is logged once by its operationId and creates nothing', async () => {
    sandbox.faults.set({ route: 'bills.create', kind: 'error', times: 1 });
    expect((await createBill('FAULT-500', 'fault-500')).status).toBe(500);
    sandbox.faults.set({ route: 'bills.create', kind: 'reset', times: 1 });
    await expect(createBill('FAULT-RESET', 'fault-reset')).rejects.toThrow();
    const logged = sandbox.requestLog.entries().filter((entry) => entry.requestId.startsWith('fault-'));
    expect(logged.map((entry) => [entry.requestId, entry.operationId, entry.status, entry.fault])).toEqual([
      ['fault-500', 'bills.create', 500, 'error'],
      ['fault-reset', 'bills.create', 0, 'reset'],
    ]);
    expect(await listed('FAULT-')).toBe(0);
    // Once the rules are spent, the same write goes through and is there.
    expect((await createBill('FAULT-500', 'fault-retry')).status).toBe(200);
    expect(await listed('FAULT-500')).toBe(1);
  });

  it('a path glob reaches a document route and no other', async () => {
    sandbox.faults.set({ route: '/api/v1/companies/*/payment-requests', kind: 'error', status: 503 });
    const company = sandbox.users.alice?.companyUuids[0];
    const requests = await fetch(`${sandbox.url}/api/v1/companies/${company}/payment-requests`, { headers: auth });
    expect(requests.status).toBe(503);
    expect((await fetch(bills(), { headers: auth })).status).toBe(200);
  });
});

describe('control endpoint', () => {
  it('POST /__sandbox/faults sets rules, GET lists them, DELETE clears them', async () => {
    const set = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ route: 'listReports', kind: 'rate_limit', retryAfterSeconds: 3 }] }),
    });
    expect(set.status).toBe(200);
    expect((await reports()).status).toBe(429);
    const listed = (await (await fetch(`${sandbox.url}/__sandbox/faults`)).json()) as { rules: unknown[] };
    expect(listed.rules).toHaveLength(1);
    expect((await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await reports()).status).toBe(200);
  });

  it('refuses a bad rule with a message naming the field', async () => {
    const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ route: 'listReports', kind: 'explode' }]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('rules[0].kind');
  });
});
