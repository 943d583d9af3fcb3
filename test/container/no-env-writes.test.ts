/**
 * Guards `container.md` §5.1: no code under `container/src` writes `process.env` (assignment,
 * `Object.assign`, `delete`) or calls `process.chdir` — the spawn env is always explicit. The
 * only exception is `boot-env.ts`, which deletes the boot secrets.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'container', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const WRITES: { name: string; re: RegExp; allowedIn?: string }[] = [
  { name: 'process.env.X =', re: /process\.env\.[A-Za-z_$][\w$]*\s*(?:[-+*/|&?]{0,2})=(?!=)/ },
  { name: 'process.env[…] =', re: /process\.env\s*\[[^\]]*\]\s*(?:[-+*/|&?]{0,2})=(?!=)/ },
  { name: 'Object.assign(process.env', re: /Object\.assign\(\s*process\.env\b/ },
  { name: 'delete process.env', re: /delete\s+process\.env\b/, allowedIn: 'boot-env.ts' },
  { name: 'process.chdir', re: /process\.chdir\b/ },
];

describe('container/src never mutates process.env or the cwd', () => {
  const all = files(SRC);

  it('finds the sources', () => {
    expect(all.length).toBeGreaterThan(5);
  });

  it.each(WRITES)('no $name', ({ re, allowedIn }) => {
    const offenders = all
      .filter((f) => relative(SRC, f) !== allowedIn)
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(SRC, f)}:${i + 1}` }))
          .filter(({ line }) => re.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the patterns catch what they should', () => {
    const samples = ['process.env.FOO = "x";', "process.env['A'] = b", 'Object.assign(process.env, x)', 'delete process.env.X', 'process.chdir(dir)', 'process.env.A ??= "1"'];
    for (const s of samples) expect(WRITES.some(({ re }) => re.test(s)), s).toBe(true);
    for (const s of ['const a = process.env.A;', 'if (process.env.A === "1") {}', 'const env = { ...process.env };']) {
      expect(WRITES.some(({ re }) => re.test(s)), s).toBe(false);
    }
  });
});
