import type { Operation } from '../openapi/index.js';
import { expandPath, isUnusablePathSegment, serializeQueryParameter, type UpstreamRequest } from '../upstream/index.js';
import type { ArgumentPlan, BodyPlan } from './input-schema.js';
import type { ParameterOverlay } from './overlay.js';

/** The request for validated arguments, or the problems that stop it (checks JSON Schema cannot state). */
export type RequestBuild = { ok: true; request: UpstreamRequest } | { ok: false; problems: string[] };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bodyArguments(body: BodyPlan): string[] {
  return body.kind === 'json' ? Object.keys(body.fields) : [body.argument];
}

function describeBody(body: BodyPlan): string {
  return body.kind === 'json' ? bodyArguments(body).join(' + ') : body.argument;
}

/** Picks the body variant the caller used: the one whose arguments were given. */
function chooseBody(plan: ArgumentPlan, args: Record<string, unknown>): { body?: BodyPlan; problems: string[] } {
  if (plan.bodies.length === 0) return { problems: [] };
  const used = plan.bodies.filter((body) => bodyArguments(body).some((name) => args[name] !== undefined));
  if (used.length > 1) {
    return { problems: [`give only one of: ${used.map(describeBody).join(' or ')}`] };
  }
  const body = used[0];
  if (!body) {
    if (!plan.bodyRequired || plan.bodies.length === 0) return { problems: [] };
    const options = plan.bodies.map(describeBody).join(' or ');
    return { problems: [`missing the ${plan.bodies.length > 1 ? 'content: give one of' : 'content:'} ${options}`] };
  }
  if (body.kind === 'json') {
    const missing = body.required.filter((name) => args[name] === undefined);
    return { body, problems: missing.map((name) => `missing required argument "${name}"`) };
  }
  const value = args[body.argument];
  if (typeof value !== 'string' || value.length === 0 || !BASE64.test(value.replace(/\s+/g, ''))) {
    return { body, problems: [`"${body.argument}" must be non-empty base64 text`] };
  }
  return { body, problems: [] };
}

/**
 * Serialises validated arguments into the upstream request: path parameters as single encoded
 * segments, query parameters per their style/explode, the chosen body as JSON or raw bytes.
 */
export function buildRequest(
  operation: Operation,
  plan: ArgumentPlan,
  overlays: Readonly<Record<string, ParameterOverlay>>,
  args: Record<string, unknown>,
): RequestBuild {
  const problems: string[] = [];
  for (const [name, overlay] of Object.entries(overlays)) {
    if (args[name] === undefined) continue;
    for (const needed of overlay.requiresArguments ?? []) {
      if (args[needed] === undefined) problems.push(`"${needed}" is required when "${name}" is given`);
    }
  }
  for (const param of plan.path) {
    const value = args[param.name];
    if (value !== undefined && isUnusablePathSegment(String(value))) {
      problems.push(
        `"${param.name}" must be an id, got ${JSON.stringify(String(value))} (empty, "." and ".." are never ids)`,
      );
    }
  }
  const chosen = chooseBody(plan, args);
  problems.push(...chosen.problems);
  if (problems.length > 0) return { ok: false, problems };

  const pathValues: Record<string, string> = {};
  for (const param of plan.path) pathValues[param.name] = String(args[param.name]);
  const query: Array<[string, string]> = [];
  for (const param of plan.query) query.push(...serializeQueryParameter(param.name, args[param.name], param));

  let body: UpstreamRequest['body'];
  if (chosen.body?.kind === 'json') {
    const data: Record<string, unknown> = {};
    for (const [argument, field] of Object.entries(chosen.body.fields)) {
      if (args[argument] !== undefined) data[field] = args[argument];
    }
    body = { contentType: chosen.body.contentType, data: JSON.stringify(data) };
  } else if (chosen.body?.kind === 'binary') {
    const base64 = String(args[chosen.body.argument]).replace(/\s+/g, '');
    body = { contentType: chosen.body.contentType, data: Buffer.from(base64, 'base64') };
  }
  const method = operation.method.toUpperCase() as UpstreamRequest['method'];
  return {
    ok: true,
    request: {
      operationId: operation.operationId,
      method,
      path: expandPath(operation.path, pathValues),
      query,
      ...(body ? { body } : {}),
      retryable: method === 'GET' || method === 'HEAD',
    },
  };
}
