/**
 * The production image (`container.md` §1) without Docker: container/Dockerfile is parsed — base
 * image, packages, non-root `agent`, every COPY source present in the repository and kept by the
 * root .dockerignore — and the real `npm run build -w container` (tsc) runs into a temp outDir;
 * the CMD entry point is produced and, run by plain Node, loads its whole module graph (exits 1
 * for the missing control secret); the built checkpoint child and install paths work from there.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KiloDbWriter } from './snapshot-support.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BUILD_TIMEOUT_MS = 240_000;

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    pending += ` ${line.endsWith('\\') ? line.slice(0, -1) : line}`;
    if (line.endsWith('\\')) continue;
    const joined = pending.trim();
    pending = '';
    const space = joined.indexOf(' ');
    out.push({ keyword: joined.slice(0, space).toUpperCase(), args: joined.slice(space + 1).trim() });
  }
  return out;
}

/** The instructions per stage (split at each FROM). */
function stages(instructions: Instruction[]): Instruction[][] {
  const all: Instruction[][] = [];
  for (const i of instructions) {
    if (i.keyword === 'FROM') all.push([i]);
    else all.at(-1)?.push(i);
  }
  return all;
}

/** A COPY's sources and its `--from` stage if any. */
function copyOf(args: string): { from: string | null; sources: string[] } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length) ?? null;
  return { from, sources: paths.slice(0, -1) };
}

/** A .dockerignore as ordered patterns (last match wins; a match on a parent dir counts). */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const glob = (negated ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      let re = '';
      for (let i = 0; i < glob.length; i++) {
        const ch = glob.charAt(i);
        if (ch === '*' && glob.charAt(i + 1) === '*') {
          re += glob.charAt(i + 2) === '/' ? '(?:.*/)?' : '.*';
          i += glob.charAt(i + 2) === '/' ? 2 : 1;
        } else if (ch === '*') re += '[^/]*';
        else if (ch === '?') re += '[^/]';
        else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negated, re: new RegExp(`^${re}$`) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negated;
    return excluded;
  };
}

/** Every file below `dir` (repo-relative), skipping node_modules. */
function filesBelow(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!statSync(abs).isDirectory()) return [dir];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('node_modules'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'container', 'Dockerfile'), 'utf8'));
const [buildStage = [], runtimeStage = []] = stages(dockerfile);
const ignored = dockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));

describe('container/Dockerfile', () => {
  it('builds on node:22-bookworm-slim in two stages, the runtime from the build', () => {
    expect(dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args)).toEqual(['node:22-bookworm-slim AS build', 'node:22-bookworm-slim']);
    expect(runtimeStage.some((i) => i.keyword === 'COPY' && copyOf(i.args).from === 'build')).toBe(true);
  });

  it('installs git, git-lfs, gh, glab, ripgrep, jq, build tools and python3 in the runtime', () => {
    const runs = runtimeStage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const apt = runs.find((r) => r.includes('apt-get install')) ?? '';
    for (const pkg of ['git', 'git-lfs', 'gh', 'ripgrep', 'jq', 'build-essential', 'python3', 'tini']) expect(apt.split(/\s+/), pkg).toContain(pkg);
    const glab = runs.find((r) => r.includes('glab_')) ?? '';
    expect(glab).toMatch(/sha256sum -c/);
    expect(glab).toMatch(/tar -xzf .* bin\/glab/);
  });

  it('runs as the non-root user agent with /workspace as its data root', () => {
    const users = runtimeStage.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('agent');
    expect(runtimeStage.some((i) => i.keyword === 'RUN' && /useradd .*\bagent\b/.test(i.args))).toBe(true);
    expect(runtimeStage.find((i) => i.keyword === 'ENV')?.args).toMatch(/GASTOWN_DATA_ROOT=\/workspace/);
  });

  it('copies only sources that exist in the repository and that .dockerignore keeps', () => {
    const copies = dockerfile.filter((i) => i.keyword === 'COPY').map((i) => copyOf(i.args)).filter((c) => c.from === null);
    const sources = copies.flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'container/package.json', 'src/protocol', 'container']));
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      const kept = filesBelow(source).filter((f) => !ignored(f));
      expect(kept.length, `${source} is kept by .dockerignore`).toBeGreaterThan(0);
    }
    // The plugin and the shared protocol reach the image; local state, deps and builds never do.
    for (const f of ['container/plugin/index.ts', 'container/src/main.ts', 'container/tsconfig.build.json', 'src/protocol/control.ts']) expect(ignored(f), f).toBe(false);
    for (const f of ['node_modules/zod/package.json', 'container/node_modules/x', 'container/dist/container/src/main.js', '.git/HEAD', '.dev.vars', '.wrangler/state', 'test/container/main.test.ts', 'src/town/town-do.ts']) {
      expect(ignored(f), f).toBe(true);
    }
  });

  it('copies every worker source dir the container and the plugin import', () => {
    const copied = dockerfile.filter((i) => i.keyword === 'COPY').map((i) => copyOf(i.args)).filter((c) => c.from === null).flatMap((c) => c.sources);
    const imported = new Set<string>();
    for (const dir of ['container/src', 'container/plugin']) {
      for (const file of filesBelow(dir).filter((f) => f.endsWith('.ts'))) {
        for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/from '(?:\.\.\/)+src\/([a-z-]+)\//g)) imported.add(`src/${m[1] ?? ''}`);
      }
    }
    expect(imported.size).toBeGreaterThan(0);
    for (const dir of imported) {
      expect(copied, `${dir} is imported by the container but not copied into the image`).toContain(dir);
      expect(ignored(`${dir}/x.ts`), `${dir} is dropped by .dockerignore`).toBe(false);
    }
  });

  it('builds with the workspace build script and starts the entry under tini', () => {
    expect(buildStage.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build --workspace container'))).toBe(true);
    expect(runtimeStage.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe('["/usr/bin/tini", "--"]');
  });
});

describe('the built control server', () => {
  let out: string;
  let entry: string;

  beforeAll(async () => {
    // Inside container/dist (git-ignored) so the built files find node_modules and the package
    // dir by walking up, as they do in the image.
    await mkdir(join(ROOT, 'container', 'dist'), { recursive: true });
    out = await mkdtemp(join(ROOT, 'container', 'dist', 'dockerfile-test-'));
    await run('npm', ['run', 'build', '--workspace', 'container', '--', '--outDir', out], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS });
    const build = JSON.parse(readFileSync(join(ROOT, 'container', 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string } };
    const cmd = JSON.parse(runtimeStage.find((i) => i.keyword === 'CMD')?.args ?? '[]') as string[];
    const workdir = runtimeStage.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args;
    expect(workdir).toBe('/app');
    expect(cmd[0]).toBe('node');
    // /app mirrors the repository root; container/<outDir>/ is where the image's build wrote.
    const prefix = `container/${build.compilerOptions.outDir}/`;
    expect(cmd[1]?.startsWith(prefix)).toBe(true);
    entry = join(out, (cmd[1] ?? '').slice(prefix.length));
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
    // container/dist goes too when this test made it (rmdir refuses a real build's non-empty one).
    await rmdir(join(ROOT, 'container', 'dist')).catch(() => undefined);
  });

  it('produces the CMD entry point, which plain Node runs (exit 1 without a control secret)', async () => {
    expect(existsSync(entry)).toBe(true);
    const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('"msg":"boot.no_control_secret"');
  });

  it('finds the package, the plugin and kilo from the built location', async () => {
    const module = pathToFileURL(join(out, 'container', 'src', 'install-paths.js')).href;
    const script = 'const m = await import(process.argv[1]); process.stdout.write(JSON.stringify(m.installPaths()));';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, module], { cwd: ROOT });
    const paths = JSON.parse(stdout) as { packageDir: string; pluginFile: string; kiloBin: string };
    expect(paths.packageDir).toBe(join(ROOT, 'container'));
    expect(paths.pluginFile).toBe(join(ROOT, 'container', 'plugin', 'index.ts'));
    expect(existsSync(paths.kiloBin)).toBe(true);
  });

  it('ships the checkpoint child as JavaScript, and it checkpoints a WAL db', async () => {
    const child = join(out, 'container', 'src', 'process', 'kilo-db-checkpoint-child.js');
    expect(existsSync(child)).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'gt-docker-ckpt-'));
    const writer = new KiloDbWriter(join(dir, 'kilo.db'));
    try {
      writer.addSession('ses_built', 3);
      const { stdout } = await run(process.execPath, ['--no-warnings', child, join(dir, 'kilo.db'), join(dir, 'copy.db'), '100'], { cwd: dir });
      expect(JSON.parse(stdout)).toEqual({ busy: 0, log: 0, checkpointed: 0, outcome: 'copied' });
      expect(existsSync(join(dir, 'copy.db'))).toBe(true);
    } finally {
      writer.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
