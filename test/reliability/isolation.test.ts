/**
 * Isolation: alice and bob, many sessions each, over every transport at once. Proves no answer,
 * notification or event of one user's session reaches the other's; session ids carry at least 128
 * random bits and stay bound to the user who opened them; one user's token never acts in the other's
 * session (POST, GET stream, DELETE, resumption with Last-Event-ID).
 */
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateRandomBits } from './support/entropy.js';
import { recordFigures } from './support/figures.js';
import { jsonRpcProblems } from './support/jsonrpc.js';
import { type ConnectedClient, connectClient, TRANSPORTS } from './support/mcp-clients.js';
import { type SseEvent, parseSse } from './support/raw-http.js';
import {
  openLegacySession,
  openStreamableSession,
  postJsonRpc,
  type RawLegacySession,
  type RawStreamableSession,
} from './support/raw-mcp.js';
import { type Stack, startStack } from './support/stack.js';
import { resultText } from './support/tool-errors.js';

const USERS = ['alice', 'bob'] as const;
type User = (typeof USERS)[number];
const CLIENTS_PER_TRANSPORT = 4;
const CALLS_PER_CLIENT = 15;
const RAW_SESSIONS = 3;
const ID_SAMPLE = 200;

describe('isolation between users', () => {
  let stack: Stack;
  const tokens = {} as Record<User, string>;
  /** Strings only the named user may ever see: company uuids and names, warehouse uuids. */
  const secretsOf = {} as Record<User, string[]>;
  const figures = { toolCalls: 0, rawMessages: 0, streamEvents: 0, crossUserAttempts: 0, crossUserRefused: 0 };

  beforeAll(async () => {
    stack = await startStack({
      env: {
        MCP_RATE_LIMIT_PER_USER: '0',
        MCP_RATE_LIMIT_PER_IP: '0',
        MCP_MAX_SSE_STREAMS_PER_USER: '1000',
        MCP_MAX_SESSIONS_PER_USER: '1000',
        MCP_MAX_CONCURRENT_UPSTREAM_PER_USER: '1000',
        LOG_LEVEL: 'debug',
      },
    });
    for (const user of USERS) {
      tokens[user] = await stack.token(user);
      const companies = stack.sandbox.users[user]!.companyUuids;
      secretsOf[user] = [
        ...companies,
        ...companies.map((uuid) => stack.sandbox.data.companyByUuid.get(uuid)!.name),
        ...stack.sandbox.data.warehouses.filter((w) => companies.includes(w.companyUuid)).map((w) => w.uuid),
      ];
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const other = (user: User): User => (user === 'alice' ? 'bob' : 'alice');
  const leaksOfOther = (user: User, text: string) => secretsOf[other(user)].filter((secret) => text.includes(secret));

  it('never delivers one user’s answers or events to the other’s sessions, over every transport at once', async () => {
    const clients: { user: User; connected: ConnectedClient }[] = [];
    const strayMessages: string[] = [];
    for (const user of USERS) {
      for (const kind of TRANSPORTS) {
        for (let i = 0; i < CLIENTS_PER_TRANSPORT; i++) {
          const connected = await connectClient(stack.bridge.url, tokens[user], kind);
          connected.client.onerror = (error) => strayMessages.push(`${user}/${kind}: ${String(error)}`);
          clients.push({ user, connected });
        }
      }
    }
    // Raw sessions with their own streams, to see every event byte for byte.
    const rawLegacy: { user: User; session: RawLegacySession }[] = [];
    const rawStreamable: { user: User; session: RawStreamableSession; events: SseEvent[] }[] = [];
    for (const user of USERS) {
      for (let i = 0; i < RAW_SESSIONS; i++) {
        rawLegacy.push({ user, session: await openLegacySession(stack.bridge.url, tokens[user]) });
        const session = await openStreamableSession(stack.bridge.url, tokens[user]);
        const stream = await session.openStream();
        rawStreamable.push({ user, session, events: stream.events });
      }
    }

    const violations: string[] = [];
    const sdkWork = clients.map(async ({ user, connected }) => {
      const company = stack.sandbox.users[user]!.companyUuids[0]!;
      const ownWarehouses = stack.sandbox.data.warehouses
        .filter((w) => w.companyUuid === company)
        .slice(0, 10)
        .map((w) => w.uuid);
      for (let n = 0; n < CALLS_PER_CLIENT; n++) {
        const call =
          n % 3 === 0
            ? { name: 'list_companies', arguments: {} }
            : n % 3 === 1
              ? { name: 'list_warehouses', arguments: { companyUuid: company } }
              : { name: 'list_inventory_items', arguments: { companyUuid: company, per_page: 10 } };
        const result = (await connected.client.callTool(call)) as CallToolResult;
        figures.toolCalls++;
        const text = JSON.stringify(result);
        if (result.isError) violations.push(`${user}/${connected.kind} ${call.name} failed: ${resultText(result)}`);
        const leaked = leaksOfOther(user, text);
        if (leaked.length > 0) violations.push(`${user}/${connected.kind} ${call.name} saw ${leaked.join(', ')}`);
        // The user's own data must be there (so the check above is not vacuous).
        const own = call.name === 'list_companies' ? [company] : call.name === 'list_warehouses' ? ownWarehouses : [];
        if (!own.every((id) => text.includes(id))) {
          violations.push(`${user}/${connected.kind} ${call.name} lacks the user's own ${own.join(', ')}`);
        }
      }
    });
    const rawWork = [
      ...rawLegacy.map(async ({ user, session }, index) => {
        for (let n = 0; n < CALLS_PER_CLIENT; n++) {
          const answer = await session.post({
            jsonrpc: '2.0',
            id: `legacy-${index}-${n}`,
            method: 'tools/call',
            params: { name: 'list_companies', arguments: {} },
          });
          if (answer.status !== 202) violations.push(`${user} legacy POST answered ${answer.status}`);
        }
      }),
      ...rawStreamable.map(async ({ user, session }, index) => {
        for (let n = 0; n < CALLS_PER_CLIENT; n++) {
          const answer = await session.request(`streamable-${index}-${n}`, 'tools/call', {
            name: 'list_companies',
            arguments: {},
          });
          figures.rawMessages += answer.messages.length;
          for (const message of answer.messages) {
            const id = (message as { id?: unknown }).id;
            if (id !== `streamable-${index}-${n}`)
              violations.push(`${user} streamable POST got a message for id ${String(id)}`);
            const leaked = leaksOfOther(user, JSON.stringify(message));
            if (leaked.length > 0) violations.push(`${user} streamable session saw ${leaked.join(', ')}`);
          }
        }
      }),
    ];
    await Promise.all([...sdkWork, ...rawWork]);

    // Every legacy answer arrives on the stream of the session it was posted to, and only there.
    for (const [index, { user, session }] of rawLegacy.entries()) {
      await session.stream.waitFor((event) => event.data.includes(`"legacy-${index}-${CALLS_PER_CLIENT - 1}"`), 15_000);
      for (const event of session.stream.events) {
        figures.streamEvents++;
        if (event.event === 'endpoint') continue;
        const message = JSON.parse(event.data) as { id?: unknown };
        violations.push(...jsonRpcProblems(message).map((p) => `${user} legacy stream: ${p}`));
        if (typeof message.id === 'string' && !message.id.startsWith(`legacy-${index}-`)) {
          violations.push(`${user} legacy stream ${index} got the answer to ${message.id}`);
        }
        const leaked = leaksOfOther(user, event.data);
        if (leaked.length > 0) violations.push(`${user} legacy stream saw ${leaked.join(', ')}`);
      }
      const answers = session.stream.events.filter((event) => event.event === 'message').length;
      if (answers !== CALLS_PER_CLIENT) violations.push(`${user} legacy stream ${index} got ${answers} answers`);
    }
    // The standalone GET streams of Streamable sessions carry nothing of the other user.
    for (const { user, events } of rawStreamable) {
      figures.streamEvents += events.length;
      for (const event of events) {
        const leaked = leaksOfOther(user, event.data);
        if (leaked.length > 0) violations.push(`${user} GET /mcp stream saw ${leaked.join(', ')}`);
      }
    }

    for (const { connected } of clients) await connected.close();
    for (const { session } of rawLegacy) session.close();
    for (const { session } of rawStreamable) await session.terminate();
    expect(violations.slice(0, 10)).toEqual([]);
    expect(strayMessages.slice(0, 10)).toEqual([]);
  }, 180_000);

  it('refuses every use of a user’s session with the other user’s token, and the session survives it', async () => {
    const alice = tokens.alice;
    const bob = tokens.bob;
    const refusals: string[] = [];
    const expectRefused = (what: string, status: number) => {
      figures.crossUserAttempts++;
      if (status === 401 || status === 403 || status === 404) figures.crossUserRefused++;
      else refusals.push(`${what}: answered ${status}`);
    };

    // Legacy: bob posts into alice's session; nothing may arrive on alice's stream.
    const legacy = await openLegacySession(stack.bridge.url, alice);
    const hijack = await legacy.post(
      { jsonrpc: '2.0', id: 'bob-in-alice', method: 'tools/call', params: { name: 'list_companies', arguments: {} } },
      bob,
    );
    expectRefused('legacy POST with bob’s token into alice’s session', hijack.status);
    const anonymous = await fetch(`${stack.bridge.url}/messages?sessionId=${legacy.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'anon', method: 'tools/list' }),
    });
    expectRefused('legacy POST without a token into alice’s session', anonymous.status);
    const own = await legacy.post({ jsonrpc: '2.0', id: 'alice-own', method: 'tools/list' });
    expect(own.status).toBe(202);
    await legacy.stream.waitFor((event) => event.data.includes('"alice-own"'));
    expect(legacy.stream.events.some((event) => event.data.includes('bob-in-alice'))).toBe(false);
    expect(legacy.stream.events.some((event) => event.data.includes('"anon"'))).toBe(false);

    // Streamable: bob's token with alice's Mcp-Session-Id, on POST, GET (stream and resumption) and DELETE.
    const session = await openStreamableSession(stack.bridge.url, alice);
    const asBob = {
      Authorization: `Bearer ${bob}`,
      'MCP-Protocol-Version': '2025-11-25',
      'Mcp-Session-Id': session.id,
    };
    const post = await postJsonRpc(`${stack.bridge.url}/mcp`, asBob, {
      jsonrpc: '2.0',
      id: 'bob-post',
      method: 'tools/call',
      params: { name: 'list_companies', arguments: {} },
    });
    expectRefused('POST /mcp with bob’s token in alice’s session', post.status);
    expect(leaksOfOther('bob', post.body)).toEqual([]);
    const stream = await fetch(`${stack.bridge.url}/mcp`, { headers: { ...asBob, Accept: 'text/event-stream' } });
    expectRefused('GET /mcp stream with bob’s token in alice’s session', stream.status);
    await stream.body?.cancel();
    // Alice's slow call is answered as a stream, so her answer (her companies) is in the session's event
    // log; the priming event before it is the id a client resumes from to get that answer replayed.
    stack.sandbox.faults.add({ route: 'listCompanies', kind: 'latency', latencyMs: 1_500, times: 1 });
    const slow = await postJsonRpc(
      `${stack.bridge.url}/mcp`,
      { ...asBob, Authorization: `Bearer ${alice}`, Accept: 'text/event-stream' },
      { jsonrpc: '2.0', id: 'alice-call', method: 'tools/call', params: { name: 'list_companies', arguments: {} } },
    );
    const slowEvents = parseSse(slow.body).events;
    const lastEventId = slowEvents.find((event) => event.id && !event.data.includes('alice-call'))?.id;
    expect(lastEventId, 'alice’s slow call opens with a priming event').toBeDefined();
    expect(slowEvents.some((event) => event.data.includes('"alice-call"'))).toBe(true);
    // The id is real: alice resuming with it gets her answer replayed, companies and all.
    const aliceReplay = await session.openStream({ 'Last-Event-ID': lastEventId! });
    const replayed = await aliceReplay.waitFor((event) => event.data.includes('"alice-call"'));
    aliceReplay.close();
    expect(secretsOf.alice.some((secret) => replayed.data.includes(secret))).toBe(true);
    const resume = await fetch(`${stack.bridge.url}/mcp`, {
      headers: { ...asBob, Accept: 'text/event-stream', 'Last-Event-ID': lastEventId! },
    });
    expectRefused('GET /mcp resumption with bob’s token and alice’s session', resume.status);
    expect(leaksOfOther('bob', await resume.text())).toEqual([]);
    const bobSession = await openStreamableSession(stack.bridge.url, bob);
    const crossResume = await bobSession.openStream({ 'Last-Event-ID': lastEventId! });
    await new Promise((resolve) => setTimeout(resolve, 500));
    crossResume.close();
    expect(crossResume.events.flatMap((event) => leaksOfOther('bob', event.data))).toEqual([]);
    const deleted = await fetch(`${stack.bridge.url}/mcp`, { method: 'DELETE', headers: asBob });
    expectRefused('DELETE /mcp with bob’s token on alice’s session', deleted.status);
    const stillAlive = await session.request('alive', 'tools/list');
    expect(stillAlive.status, 'alice’s session must survive bob’s DELETE').toBe(200);
    const anonymousPost = await postJsonRpc(
      `${stack.bridge.url}/mcp`,
      { 'MCP-Protocol-Version': '2025-11-25', 'Mcp-Session-Id': session.id },
      { jsonrpc: '2.0', id: 'anon', method: 'tools/list' },
    );
    expectRefused('POST /mcp without a token in alice’s session', anonymousPost.status);
    const expired = await stack.token('alice', { expiresIn: -120 });
    const expiredPost = await postJsonRpc(
      `${stack.bridge.url}/mcp`,
      { Authorization: `Bearer ${expired}`, 'MCP-Protocol-Version': '2025-11-25', 'Mcp-Session-Id': session.id },
      { jsonrpc: '2.0', id: 'expired', method: 'tools/list' },
    );
    expectRefused('POST /mcp with alice’s expired token in her own session', expiredPost.status);

    legacy.close();
    await session.terminate();
    await bobSession.terminate();
    expect(refusals).toEqual([]);
  }, 60_000);

  it('issues session ids with at least 128 random bits, never twice', async () => {
    const legacyIds: string[] = [];
    const streamableIds: string[] = [];
    for (let i = 0; i < ID_SAMPLE; i++) {
      const legacy = await openLegacySession(stack.bridge.url, tokens.alice);
      legacyIds.push(legacy.id);
      legacy.close();
      const session = await openStreamableSession(stack.bridge.url, tokens.bob);
      streamableIds.push(session.id);
      await session.terminate();
    }
    const legacyBits = estimateRandomBits(legacyIds);
    const streamableBits = estimateRandomBits(streamableIds);
    expect(new Set(legacyIds).size).toBe(ID_SAMPLE);
    expect(new Set(streamableIds).size).toBe(ID_SAMPLE);
    recordFigures('isolation', {
      ...figures,
      sessionIds: {
        legacy: { sampled: ID_SAMPLE, ...legacyBits },
        streamable: { sampled: ID_SAMPLE, ...streamableBits },
      },
      leaksFound: (await stack.scanForLeaks()).length,
    });
    expect(legacyBits.bits).toBeGreaterThanOrEqual(128);
    expect(streamableBits.bits).toBeGreaterThanOrEqual(128);
    expect(stack.secrets.leaks).toEqual([]);
  }, 120_000);
});
