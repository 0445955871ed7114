import { describe, expect, it } from 'vitest';
import { judgeFetch, judgeSearch } from './deep-research.js';

const text = (value: unknown) => ({ type: 'text', text: JSON.stringify(value) });
const searchBody = { results: [{ id: 'company:1', title: 'Acme', url: 'https://my.neonpanel.com/companies/1' }] };
const fetchBody = {
  id: 'company:1',
  title: 'Acme',
  text: 'Acme Inc.',
  url: 'https://my.neonpanel.com/c/1',
  metadata: {},
};

describe('judgeSearch', () => {
  it('accepts one JSON text item with matching structuredContent', () => {
    expect(judgeSearch({ content: [text(searchBody)], structuredContent: searchBody })).toMatchObject({
      problems: [],
      noStructuredContent: false,
    });
  });

  it('names each way out of shape', () => {
    expect(judgeSearch({ content: [text(searchBody), text(searchBody)] }).problems).toEqual([
      'search content must be exactly one text item, got 2 (text, text)',
    ]);
    expect(judgeSearch({ content: [{ type: 'text', text: 'Acme' }] }).problems[0]).toContain('not a JSON object');
    expect(judgeSearch({ content: [text([searchBody])] }).problems[0]).toContain('not a JSON object');
    expect(judgeSearch({ content: [text({ results: [{ id: '1', title: 'A', url: '' }] })] }).problems).toEqual([
      'results[0] lacks a non-empty url',
    ]);
    expect(judgeSearch({ content: [text(searchBody)], structuredContent: { results: [] } }).problems).toEqual([
      "search's structuredContent differs from the JSON in its text",
    ]);
    expect(judgeSearch({ content: [text(searchBody)] }).noStructuredContent).toBe(true);
    expect(judgeSearch({ content: [{ type: 'text', text: 'boom' }], isError: true }).problems).toEqual([
      'search answered isError: boom',
    ]);
  });
});

describe('judgeFetch', () => {
  it('accepts the document for the id asked', () => {
    expect(judgeFetch({ content: [text(fetchBody)], structuredContent: fetchBody }, 'company:1').problems).toEqual([]);
  });

  it('names missing fields, another id and a non-object metadata', () => {
    const { text: _text, url: _url, ...rest } = fetchBody;
    expect(judgeFetch({ content: [text(rest)] }, 'company:1').problems).toEqual(['fetch JSON lacks url, text']);
    expect(judgeFetch({ content: [text({ ...fetchBody, id: 'x' })] }, 'company:1').problems).toEqual([
      'fetch returned id x, not company:1',
    ]);
    expect(judgeFetch({ content: [text({ ...fetchBody, metadata: 'm' })] }, 'company:1').problems).toEqual([
      'fetch "metadata" must be an object when present',
    ]);
  });
});
