/**
 * Where the container package is installed (`container.md` §1, §6 item 2): the package dir (found
 * by walking up from this module, so it works from `src/` and from `dist/container/src/`), the
 * plugin entry, the installed `node_modules` (plugin deps, `.bin` that leads every PATH, `kilo`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The container package's name in its package.json. */
const PACKAGE_NAME = '@gastown/container';

/** Installed locations the control server needs. */
export interface InstallPaths {
  /** The `container/` package dir. */
  packageDir: string;
  /** `container/plugin/index.ts`. */
  pluginFile: string;
  /** The `node_modules` holding `@kilocode/plugin` (workspace-hoisted or local). */
  nodeModules: string;
  /** `<nodeModules>/.bin`. */
  binDir: string;
  /** `<nodeModules>/.bin/kilo`. */
  kiloBin: string;
}

function isContainerPackage(dir: string): boolean {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && (pkg as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The first ancestor of `start` (itself included) satisfying `test`, else null. */
function findUp(start: string, test: (dir: string) => boolean): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    if (test(dir)) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** Resolves the install paths from `moduleUrl` (default: this module). Throws when the package is not found. */
export function installPaths(moduleUrl: string = import.meta.url): InstallPaths {
  const here = dirname(fileURLToPath(moduleUrl));
  const packageDir = findUp(here, isContainerPackage);
  if (packageDir === null) throw new Error(`cannot find the ${PACKAGE_NAME} package above ${here}`);
  const withModules = findUp(packageDir, (d) => existsSync(join(d, 'node_modules', '@kilocode', 'plugin')));
  const nodeModules = join(withModules ?? packageDir, 'node_modules');
  const binDir = join(nodeModules, '.bin');
  return { packageDir, pluginFile: join(packageDir, 'plugin', 'index.ts'), nodeModules, binDir, kiloBin: join(binDir, 'kilo') };
}
