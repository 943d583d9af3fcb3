/**
 * `docs/api.md` lists exactly the routes the worker declares, so the reference cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/api/app.ts';

describe('docs/api.md', () => {
  it('lists every declared route and nothing else', () => {
    const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    const declared = createApp().routes.entries.map((r) => `${r.method} ${r.pattern}`).sort();
    expect(documented).toEqual(declared);
  });
});
