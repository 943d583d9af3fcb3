/**
 * Browser-test helpers: headless Debian Chromium through playwright-core, pages signed in with
 * a dev token, the two viewports the dashboard must fit, screenshots saved under
 * `test-artifacts/`, a small API client for arranging state, and a recorder that checks every
 * request a page makes against the routes `docs/api.md` lists (the spec's route table).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { parsePagePath } from '../../src/dashboard/pages.ts';

/** The Chromium `.ci/run` installs (override with GASTOWN_CHROMIUM). */
export const CHROMIUM_PATH = process.env.GASTOWN_CHROMIUM ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const TOKEN_KEY = 'gastown.token';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** A new page at `viewport`; with `token`, already signed in (the token is in localStorage). */
export async function openPage(browser: Browser, viewport: { width: number; height: number }, token: string | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  if (token !== null) await context.addInitScript(`window.localStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)});`);
  const page = await context.newPage();
  return { context, page };
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** `METHOD /pattern` of every route in `docs/api.md`'s tables, as matchers. */
export function documentedRoutes(): { route: string; method: string; pattern: RegExp }[] {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  return [...doc.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|/gm)].map((m) => {
    const method = m[1] ?? '';
    const path = m[2] ?? '';
    const source = path.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
    return { route: `${method} ${path}`, method, pattern: new RegExp(`^${source}$`) };
  });
}

const BUNDLE = new Set(['/dashboard/app.js', '/dashboard/app.css', '/dashboard/app.js.map', '/dashboard/app.css.map']);

/**
 * Records every request the page makes (HTTP and WebSocket). `violations()` lists those that are
 * neither a dashboard page, the client bundle, nor a documented `/api` route (or `/health`); 5xx
 * answers, uncaught page errors and CSP violations are kept too.
 */
export class RequestRecorder {
  readonly seen: string[] = [];
  readonly apiRoutesUsed = new Set<string>();
  private readonly routes = documentedRoutes();
  private readonly bad: string[] = [];

  constructor(readonly baseUrl: string) {}

  /** `status METHOD path code` of every 5xx answer the worker gave (each carries `x-request-id`). */
  readonly serverErrors: string[] = [];
  /**
   * 5xx answers that did not come from the worker's code (no `x-request-id`, which every worker
   * response carries): the local runtime's own "Network connection lost" after a page was closed
   * mid-request. Kept for the failure message, not counted as the app's errors.
   */
  readonly runtimeErrors: string[] = [];
  /** Uncaught exceptions in the pages, and Content-Security-Policy violations. */
  readonly pageErrors: string[] = [];

  attach(page: Page): void {
    page.on('request', (req) => this.check(req.method(), req.url()));
    page.on('websocket', (ws) => this.check('GET', ws.url()));
    page.on('response', (res) => {
      if (res.status() < 500) return;
      const headers = res.headers();
      const line = `${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`;
      if (headers['x-request-id'] === undefined) this.runtimeErrors.push(line);
      else this.serverErrors.push(`${line} ${headers['x-gastown-error-code'] ?? ''}`.trim());
    });
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
    page.on('console', (msg) => {
      if (msg.text().includes('Content Security Policy')) this.pageErrors.push(msg.text());
    });
  }

  private check(method: string, url: string): void {
    const u = new URL(url);
    const key = `${method} ${u.pathname}`;
    this.seen.push(key);
    if (u.protocol === 'data:' || u.protocol === 'about:') return;
    if (u.host !== new URL(this.baseUrl).host) {
      this.bad.push(`${key} (another origin: ${u.host})`);
      return;
    }
    if (method === 'GET' && (BUNDLE.has(u.pathname) || parsePagePath(u.pathname) !== null)) return;
    const match = u.pathname.startsWith('/api/') || u.pathname === '/health' ? this.routes.find((r) => r.method === method && r.pattern.test(u.pathname)) : undefined;
    if (match === undefined) this.bad.push(key);
    else this.apiRoutesUsed.add(match.route);
  }

  violations(): string[] {
    return [...this.bad];
  }
}

/** A user's view of the API for arranging and checking state beside the browser. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  }

  /** `data` of a 2xx answer (throws with the answer otherwise). */
  async data(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await this.call(method, path, body);
    const data = typeof res.body === 'object' && res.body !== null && 'data' in res.body ? res.body.data : undefined;
    if (res.status >= 300 || typeof data !== 'object' || data === null) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return Object.fromEntries(Object.entries(data));
  }

  /** The items of a list answer. */
  async list(path: string): Promise<Record<string, unknown>[]> {
    const res = await this.call('GET', path);
    const data = typeof res.body === 'object' && res.body !== null && 'data' in res.body ? res.body.data : undefined;
    if (res.status !== 200 || !Array.isArray(data)) throw new Error(`GET ${path} → ${res.status}`);
    return data.map((item: unknown) => (typeof item === 'object' && item !== null ? Object.fromEntries(Object.entries(item)) : {}));
  }
}
