import { describe, expect, it } from 'vitest';
import { preflightProblems } from './cors.js';

const wanted = ['authorization', 'content-type'];

describe('preflightProblems', () => {
  it('accepts an echoed origin with the headers listed', () => {
    const headers = new Headers({
      'access-control-allow-origin': 'https://claude.ai',
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type',
    });
    expect(preflightProblems(204, headers, 'https://claude.ai', wanted)).toEqual([]);
  });

  it('names a missing allow-origin and a wildcard that does not cover Authorization', () => {
    const headers = new Headers({ 'access-control-allow-headers': '*' });
    expect(preflightProblems(204, headers, 'https://chatgpt.com', wanted)).toEqual([
      'Access-Control-Allow-Origin is missing',
      'Access-Control-Allow-Headers lacks authorization',
    ]);
  });

  it('reports a non-2xx preflight', () => {
    expect(preflightProblems(404, new Headers(), 'https://x', [])[0]).toBe('the preflight answered 404');
  });
});
