/** Calls the sandbox API as a demo user and checks answers against the document (shared by api and contract tests). */

import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../../sandbox/index.js';
import { loadResponseValidators } from './api-schemas.js';
import { loginAs } from './oauth-client.js';

export interface Call {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export interface CallInit extends Omit<RequestInit, 'body'> {
  /** Another user than the default token's (a token is minted for them). */
  as?: string;
  /** A JSON body (sent with content-type application/json), or a raw body. */
  json?: unknown;
  body?: RequestInit['body'];
}

/** The API as one signed-in user, with every answer checkable against the document. */
export function apiClient(
  sandbox: Sandbox,
  token: string,
  validatorFor: (operationId: string, status: number) => ValidateFunction,
) {
  const call = async (path: string, init: CallInit = {}): Promise<Call> => {
    const { as, json, ...rest } = init;
    const bearer = as ? await sandbox.issueToken({ sub: as }) : token;
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${sandbox.url}${path}`, {
      ...rest,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
      headers: { ...headers, ...(rest.headers as Record<string, string>) },
    });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json');
    return { status: response.status, body: isJson ? JSON.parse(text) : { text }, headers: response.headers };
  };

  /** Calls an operation and asserts the status and that the body matches the document (no body for 204). */
  const expectValid = async (operationId: string, path: string, status = 200, init: CallInit = {}): Promise<Call> => {
    const result = await call(path, init);
    expect(result.status, `${operationId} ${path}: ${JSON.stringify(result.body).slice(0, 300)}`).toBe(status);
    if (status !== 204) {
      const validate = validatorFor(operationId, status);
      expect(validate(result.body), `${operationId} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(result.headers.get('x-request-id')).toBeTruthy();
    return result;
  };
  return { call, expectValid };
}

/**
 * A sandbox for the file's tests, with alice signed in through the real OAuth flow (consent form, code,
 * PKCE, token): read the fields inside tests, once beforeAll has run.
 */
export function useSandboxApi(options: SandboxOptions = {}) {
  const api = {} as {
    sandbox: Sandbox;
    /** alice's access token. */
    token: string;
    /** alice's first company, and bob's. */
    companyUuid: string;
    bobCompanyUuid: string;
  } & ReturnType<typeof apiClient>;
  beforeAll(async () => {
    api.sandbox = await startSandbox({ port: 0, ...options });
    api.token = (await loginAs(api.sandbox.url, 'alice')).tokens.access_token;
    Object.assign(api, apiClient(api.sandbox, api.token, await loadResponseValidators()));
    api.companyUuid = api.sandbox.users.alice?.companyUuids[0] ?? '';
    api.bobCompanyUuid = api.sandbox.users.bob?.companyUuids[0] ?? '';
  });
  afterAll(async () => {
    await api.sandbox?.close();
  });
  return api;
}
