import { describe, expect, it } from 'vitest';
import { type AppsListing, APPS_MIME_TYPE, lintApps } from './apps.js';

const URI = 'ui://shop/cart.html';
const CSP = { ui: { csp: { connectDomains: [], resourceDomains: [] } } };

/** A listing every host accepts; each test breaks one thing. */
function good(): AppsListing {
  return {
    resourcesCapability: true,
    tools: [
      { name: 'show_cart', _meta: { ui: { resourceUri: URI }, 'openai/outputTemplate': URI } },
      { name: 'plain' },
    ],
    listed: new Map([[URI, CSP]]),
    read: new Map([[URI, { mimeType: APPS_MIME_TYPE, text: '<!doctype html>', _meta: CSP }]]),
  };
}

const messages = (listing: AppsListing, outputTemplate = false) =>
  lintApps(listing, { outputTemplate }).map((p) => `${p.severity}: ${p.message}`);

describe('lintApps', () => {
  it('accepts views that are listed, readable as MCP Apps HTML and state their CSP', () => {
    expect(messages(good(), true)).toEqual([]);
  });

  it('fails a view URI that is not ui://, not listed, not readable or of another type', () => {
    const listing = good();
    listing.tools.push({ name: 'other', _meta: { ui: { resourceUri: 'https://x.test/v.html' } } });
    expect(messages(listing)).toContainEqual(
      expect.stringMatching(/^fail: other's _meta.ui.resourceUri .* is not a ui:\/\/ URI/),
    );

    const unlisted = good();
    unlisted.listed.clear();
    expect(messages(unlisted)).toContainEqual(`fail: ${URI} (the view of show_cart) is not in resources/list`);

    const unreadable = good();
    unreadable.read.set(URI, { error: 'Resource not found' });
    expect(messages(unreadable)).toContainEqual(`fail: resources/read ${URI} failed: Resource not found`);

    const wrongType = good();
    wrongType.read.set(URI, { mimeType: 'text/html', text: '<p>', _meta: CSP });
    expect(messages(wrongType)).toContainEqual(
      expect.stringMatching(/^fail: .* reads as text\/html, not text\/html;profile=mcp-app/),
    );
  });

  it('fails views without the resources capability', () => {
    expect(messages({ ...good(), resourcesCapability: false })[0]).toMatch(
      /^fail: 1 tools name a view but the server declares no resources/,
    );
  });

  it('warns on a missing CSP and fails domains that are not https origins', () => {
    const none = good();
    none.listed.set(URI, undefined);
    none.read.set(URI, { mimeType: APPS_MIME_TYPE, text: 'x' });
    expect(messages(none)).toEqual([`warn: ${URI} states no _meta.ui.csp`]);

    const loose = good();
    loose.read.set(URI, {
      mimeType: APPS_MIME_TYPE,
      text: 'x',
      _meta: { ui: { csp: { connectDomains: ['*', 'http://a.test'] } } },
    });
    expect(messages(loose)).toContainEqual(
      expect.stringMatching(/^fail: .*connectDomains has \["\*","http:\/\/a.test"\]/),
    );
  });

  it("warns ChatGPT's profile only when openai/outputTemplate is missing", () => {
    const listing = good();
    delete listing.tools[0]!._meta!['openai/outputTemplate'];
    expect(messages(listing, false)).toEqual([]);
    expect(messages(listing, true)).toEqual([`warn: show_cart has no openai/outputTemplate equal to its view ${URI}`]);
  });
});
