import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { synexpParser } from '../../src/lang/index.js';
import { RAILROAD_HTML, renderRailroadHtml } from '../../scripts/gen-grammar-docs.js';

const committed = readFileSync(RAILROAD_HTML, 'utf8');

/**
 * Runs the page's scripts the way a browser would, with nothing but a stub document: a page that
 * still needed a CDN (or any other file) would fail here.
 */
function drawOffline(html: string): string {
  const div = { innerHTML: '' };
  const document = {
    getElementById: (id: string) => (id === 'diagrams' ? div : null),
    getElementsByClassName: () => [],
    getElementsByTagName: () => [],
  };
  const context = vm.createContext({ document });
  (context as { window: unknown }).window = context;
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  for (const [, attrs, body] of scripts) {
    expect(attrs).toBe('');
    vm.runInContext(body ?? '', context);
  }
  return div.innerHTML;
}

describe('grammar/railroad.html', () => {
  it('is up to date with the grammar (run `npx tsx scripts/gen-grammar-docs.ts` if not)', () => {
    expect(renderRailroadHtml() === committed).toBe(true);
  });

  it('is self-contained: no scripts, styles or links fetched from elsewhere', () => {
    expect(committed).not.toMatch(/\s(src|href)\s*=/i);
    expect(committed).not.toContain('unpkg.com');
    expect(committed.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('draws a diagram for every grammar rule without a network', () => {
    const drawn = drawOffline(committed);
    const rules = Object.keys(synexpParser.getGAstProductions());
    expect(rules.length).toBeGreaterThan(10);
    for (const name of rules) expect(drawn).toContain(`<h2 class="diagramHeader">${name}</h2>`);
    expect(drawn.match(/<svg /g)?.length).toBe(rules.length);
    // Terminals read as written in a file, not as the lexer's class names.
    for (const label of ['sample', 'ids', 'images | imgs', '~', '{', 'NUMBER', 'NAME', 'STRING', 'experiment', 'extends']) {
      expect(drawn).toContain(`>${label}</text>`);
    }
    expect(drawn).not.toContain('>Identifier</text>');
  });
});
