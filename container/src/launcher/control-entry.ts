/**
 * How the launcher runs a control server (`container.md` §1, §11): the compiled
 * `dist/container/src/main.js` when it exists, else `src/main.ts` under Node's type stripping,
 * always with the launcher's own Node binary. `GASTOWN_CONTROL_ENTRY` names another entry file.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { InstallPaths } from '../install-paths.ts';
import type { ControlEntry } from './town-process.ts';

/** The compiled and the source entry of the control server inside the container package. */
export function controlEntryFiles(install: Pick<InstallPaths, 'packageDir'>): { dist: string; src: string } {
  return { dist: join(install.packageDir, 'dist', 'container', 'src', 'main.js'), src: join(install.packageDir, 'src', 'main.ts') };
}

/** `node [--experimental-transform-types --no-warnings] <file>` for a `.ts` or `.js` entry file. */
export function entryFor(file: string, node: string = process.execPath): ControlEntry {
  return { command: node, args: file.endsWith('.ts') ? ['--experimental-transform-types', '--no-warnings', file] : [file] };
}

/** The entry to run: `override` (a path, relative to the cwd) if given, else dist when built, else src. */
export function controlEntry(install: Pick<InstallPaths, 'packageDir'>, override?: string, node: string = process.execPath): ControlEntry {
  if (override !== undefined && override.trim() !== '') return entryFor(isAbsolute(override) ? override : resolve(override), node);
  const files = controlEntryFiles(install);
  return entryFor(existsSync(files.dist) ? files.dist : files.src, node);
}
