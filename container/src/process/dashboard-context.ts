/**
 * The mayor's dashboard context file (`container.md` §2 `/dashboard-context`): a ring of the last
 * 5 contexts, newest first, as `[{at, context}]` JSON in `mayor/dashboard-context.json` (the
 * plugin reads it through `GASTOWN_DASHBOARD_CONTEXT_FILE`). Written tmp + rename, one at a time.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.ts';
import { dashboardContextFile } from '../layout.ts';

/** Contexts kept. */
export const DASHBOARD_CONTEXT_RING = 5;

/** One stored context. */
export interface DashboardContextEntry {
  at: string;
  context: string;
}

/** The ring store; writes are serialised through one promise chain. */
export class DashboardContextStore {
  readonly #file: string;
  #chain: Promise<void> = Promise.resolve();

  constructor(root: string) {
    this.#file = dashboardContextFile(root);
  }

  get file(): string {
    return this.#file;
  }

  /** Prepends `context` (dropping the oldest beyond 5). */
  store(context: string, at: string = new Date().toISOString()): Promise<void> {
    const next = this.#chain.then(() => this.#write({ at, context }));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** The stored entries, newest first (`[]` without a readable file). */
  async read(): Promise<DashboardContextEntry[]> {
    let raw: string;
    try {
      raw = await readFile(this.#file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  async #write(entry: DashboardContextEntry): Promise<void> {
    const entries = [entry, ...(await this.read())].slice(0, DASHBOARD_CONTEXT_RING);
    await mkdir(dirname(this.#file), { recursive: true });
    await writeFileAtomic(this.#file, `${JSON.stringify(entries)}\n`, 0o644);
  }
}

function isEntry(v: unknown): v is DashboardContextEntry {
  return typeof v === 'object' && v !== null && typeof (v as DashboardContextEntry).at === 'string' && typeof (v as DashboardContextEntry).context === 'string';
}
