/**
 * The dashboard in headless Chromium against the worker in local mode (no launcher): sign-in
 * through the dev token flow, a town and a rig created through the UI, a bead created and seen
 * on the board, a status change made through the API appearing without a reload (and through
 * polling when the socket is down), the mayor's `ui_action` frames followed, the bead page's
 * actions, a convoy started and closed, settings refusing invalid values next to their field
 * (the client's check and the server's), no secret reaching a page, town deletion with
 * confirmation, and every request the pages made being a route of the API spec. Screenshots of
 * the overview, bead and settings pages go to test-artifacts/ (overview and bead at 1280×800
 * and 390×844).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';
import { ApiClient, DESKTOP, PHONE, RequestRecorder, launchChromium, openPage, screenshot } from './browser-support.ts';

/** UI waits: generous, the first page load compiles nothing but the machine is shared. */
const UI_TIMEOUT = 20_000;

let stack: LocalStack;
let browser: Browser;
let api: ApiClient;
let recorder: RequestRecorder;
let token: string;
let townId = '';
let rigId = '';
/** The page of the running test, screenshotted if the test fails. */
let current: Page | null = null;

async function signedInPage(viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
  const { page } = await openPage(browser, viewport, token);
  recorder.attach(page);
  current = page;
  return page;
}

function column(page: Page, status: string) {
  return page.locator(`section.column[data-status="${status}"]`);
}

beforeAll(async () => {
  stack = await startLocalStack({ launcher: false });
  browser = await launchChromium();
  recorder = new RequestRecorder(stack.baseUrl);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && current !== null && !current.isClosed()) {
    await screenshot(current, `failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
  }
  current = null;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard', () => {
  it('signs in through the dev token flow, then creates a town and a rig through the UI', async () => {
    const { page } = await openPage(browser, DESKTOP, null);
    recorder.attach(page);
    current = page;
    await page.goto(stack.baseUrl);
    await page.getByRole('button', { name: 'Sign in as dev' }).click();
    await expect.poll(() => page.evaluate('window.localStorage.getItem("gastown.token")'), { timeout: UI_TIMEOUT }).toEqual(expect.any(String));
    token = String(await page.evaluate('window.localStorage.getItem("gastown.token")'));
    api = new ApiClient(stack.baseUrl, token);

    await page.getByRole('heading', { name: 'Your towns' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByText('No towns yet').waitFor();
    await page.getByLabel('New town').fill('Browser town');
    await page.getByRole('button', { name: 'Create town' }).click();
    await page.waitForURL(/\/towns\/[0-9a-f-]{36}$/, { timeout: UI_TIMEOUT });
    townId = new URL(page.url()).pathname.split('/')[2] ?? '';
    await page.getByRole('heading', { name: 'Browser town', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-live-status="live"]').waitFor({ timeout: UI_TIMEOUT });

    const repo = join(stack.stateDir, 'web.git');
    execFileSync('git', ['init', '--bare', '--quiet', repo]);
    const rigForm = page.getByRole('form', { name: 'Add a rig' });
    await rigForm.getByLabel('Name').fill('web');
    await rigForm.getByLabel('Git URL').fill(`file://${repo}`);
    await rigForm.getByRole('button', { name: 'Add rig' }).click();
    await page.locator('#rigs').getByRole('link', { name: 'web' }).waitFor({ timeout: UI_TIMEOUT });

    const rigs = await api.list(`/api/towns/${townId}/rigs`);
    expect(rigs.map((r) => r.name)).toEqual(['web']);
    rigId = String(rigs[0]?.id);
    await page.context().close();
  });

  it('creates a bead through the UI and shows it on the board', async () => {
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}`);
    await page.getByRole('button', { name: 'New bead' }).click();
    const form = page.getByRole('form', { name: 'New bead' });
    await form.getByLabel('Title').fill('Write the README');
    await form.getByLabel('Labels').fill('docs');
    // Held, so the reconciler leaves it alone while the test watches it.
    await form.getByLabel('Hold (do not dispatch until un-held)').check();
    await form.getByRole('button', { name: 'Create bead' }).click();
    await column(page, 'open').getByRole('link', { name: 'Write the README' }).waitFor({ timeout: UI_TIMEOUT });

    const beads = await api.list(`/api/towns/${townId}/beads?rig_id=${rigId}`);
    expect(beads).toEqual([expect.objectContaining({ title: 'Write the README', labels: ['docs'], held: true, status: 'open' })]);
    await page.context().close();
  });

  it('shows a status change made through the API without a reload', async () => {
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}`);
    await column(page, 'open').getByRole('link', { name: 'Write the README' }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-live-status="live"]').waitFor({ timeout: UI_TIMEOUT });
    await page.evaluate('window.__sameDocument = true');

    const [bead] = await api.list(`/api/towns/${townId}/beads?label=docs`);
    await api.data('PATCH', `/api/towns/${townId}/beads/${String(bead?.id)}`, { status: 'closed' });

    await column(page, 'closed').getByRole('link', { name: 'Write the README' }).waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => column(page, 'open').getByRole('link', { name: 'Write the README' }).count()).toBe(0);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.getByRole('region', { name: 'Activity' }).getByText('status open → closed').first().waitFor({ timeout: UI_TIMEOUT });
    await page.getByLabel('Town summary').getByText('Beads: 1 closed').waitFor({ timeout: UI_TIMEOUT });

    await screenshot(page, 'overview-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'overview-phone');
    await page.context().close();
  });

  it('falls back to polling when the live socket cannot connect', async () => {
    const page = await signedInPage();
    // Every live socket is refused at once: the page must keep itself current by polling.
    await page.routeWebSocket(/\/live\?ticket=/, (ws) => ws.close({ code: 1011, reason: 'refused by the test' }));
    await page.goto(`${stack.baseUrl}/towns/${townId}`);
    await page.locator('[data-live-status="polling"]').waitFor({ timeout: UI_TIMEOUT });
    const bead = await api.data('POST', `/api/towns/${townId}/beads`, { rig_id: rigId, title: 'Seen by polling', held: true });
    await column(page, 'open').getByRole('link', { name: 'Seen by polling' }).waitFor({ timeout: UI_TIMEOUT });
    await api.data('DELETE', `/api/towns/${townId}/beads/${String(bead.id)}`);
    await page.context().close();
  });

  it('follows the mayor’s ui_action frames: open a bead, navigate to a page', async () => {
    const bead = await api.data('POST', `/api/towns/${townId}/beads`, { rig_id: rigId, title: 'Opened by the mayor', held: true });
    const page = await signedInPage();
    // The real socket, passed through; the test adds the frames a mayor's gt_ui_action would send.
    let inject: ((frame: unknown) => void) | null = null;
    await page.routeWebSocket(/\/live\?ticket=/, (ws) => {
      ws.connectToServer();
      inject = (frame) => ws.send(JSON.stringify(frame));
    });
    await page.goto(`${stack.baseUrl}/towns/${townId}`);
    await page.locator('[data-live-status="live"]').waitFor({ timeout: UI_TIMEOUT });
    await page.evaluate('window.__sameDocument = true');
    const send = (frame: unknown): void => {
      if (inject === null) throw new Error('the live socket was not opened');
      inject(frame);
    };
    send({ type: 'ui_action', action: { type: 'open_bead', bead_id: bead.id } });
    await page.waitForURL(new RegExp(`/towns/${townId}/beads/${String(bead.id)}$`), { timeout: UI_TIMEOUT });
    await page.getByRole('heading', { name: 'Opened by the mayor', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    send({ type: 'ui_action', action: { type: 'navigate', page: 'settings' } });
    await page.getByRole('heading', { name: 'Town settings', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    expect(new URL(page.url()).pathname).toBe(`/towns/${townId}/settings`);
    // Frames that are not valid ui_actions are ignored.
    send({ type: 'ui_action', action: { type: 'open_bead', bead_id: 'not-a-uuid' } });
    send({ type: 'ui_action', action: { type: 'navigate', page: 'nowhere' } });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Browser town', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await api.data('DELETE', `/api/towns/${townId}/beads/${String(bead.id)}`);
    await page.context().close();
  });

  it('shows a bead with its relations and runs its actions: un-hold, edit', async () => {
    const blocker = await api.data('POST', `/api/towns/${townId}/beads`, { rig_id: rigId, title: 'Design the API', held: true });
    const bead = await api.data('POST', `/api/towns/${townId}/beads`, {
      rig_id: rigId,
      title: 'Build the API',
      body: 'Endpoints for towns and rigs.',
      priority: 'high',
      labels: ['backend'],
      held: true,
      depends_on: [blocker.id],
    });
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}/beads/${String(bead.id)}`);
    await page.getByRole('heading', { name: 'Build the API', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('region', { name: 'Blocked by' }).getByRole('link', { name: 'Design the API' }).waitFor();
    await page.getByText('Endpoints for towns and rigs.').waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText('created').first().waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-live-status="live"]').waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, 'bead-desktop');

    await page.getByRole('button', { name: 'Un-hold' }).click();
    await page.getByRole('button', { name: 'Hold', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    expect((await api.data('GET', `/api/towns/${townId}/beads/${String(bead.id)}`)).bead).toMatchObject({ held: false });

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit bead' });
    await form.getByLabel('Title').fill('Build the public API');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Build the public API', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    expect((await api.data('GET', `/api/towns/${townId}/beads/${String(bead.id)}`)).bead).toMatchObject({ title: 'Build the public API', priority: 'high' });

    await page.setViewportSize(PHONE);
    await screenshot(page, 'bead-phone');
    await page.context().close();
  });

  it('cancels and deletes a bead after asking', async () => {
    const bead = await api.data('POST', `/api/towns/${townId}/beads`, { rig_id: rigId, title: 'Short-lived', held: true });
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}/beads/${String(bead.id)}`);
    await page.getByRole('button', { name: 'Cancel bead' }).click();
    await page.getByRole('group', { name: /Cancel this bead\?/ }).getByRole('button', { name: 'Cancel bead' }).click();
    await page.locator('.headline .badge', { hasText: 'closed' }).waitFor({ timeout: UI_TIMEOUT });

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete bead' }).click();
    await page.waitForURL(new RegExp(`/towns/${townId}#beads$`), { timeout: UI_TIMEOUT });
    expect((await api.call('GET', `/api/towns/${townId}/beads/${String(bead.id)}`)).status).toBe(404);
    await page.context().close();
  });

  it('shows a convoy’s members, dependencies and progress, and starts and closes it', async () => {
    const slung = await api.data('POST', `/api/towns/${townId}/sling-batch`, {
      rig_id: rigId,
      title: 'Docs convoy',
      staged: true,
      tasks: [{ title: 'Outline the docs' }, { title: 'Write the docs', depends_on: [0] }],
    });
    const convoy = slung.convoy;
    const convoyId = typeof convoy === 'object' && convoy !== null && 'id' in convoy ? String(convoy.id) : '';
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}/convoys/${convoyId}`);
    await page.getByRole('heading', { name: 'Docs convoy', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    const members = page.getByRole('region', { name: 'Members' });
    await members.getByRole('link', { name: 'Outline the docs' }).waitFor();
    await members.getByRole('link', { name: 'Write the docs' }).waitFor();
    const edge = page.getByRole('region', { name: 'Dependencies' }).locator('li');
    expect((await edge.textContent())?.replace(/\s+/g, ' ').trim()).toBe('Write the docs waits for Outline the docs');
    await page.getByRole('progressbar', { name: '0 of 2 done' }).waitFor();

    await page.getByRole('button', { name: 'Start convoy' }).click();
    await page.locator('.headline .badge', { hasText: 'open' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('button', { name: 'Close convoy' }).click();
    await page.getByRole('group', { name: /Close this convoy\?/ }).getByRole('button', { name: 'Close convoy' }).click();
    await page.locator('.headline .badge', { hasText: 'failed' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('progressbar', { name: '2 of 2 done, 2 failed' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await api.data('GET', `/api/towns/${townId}/convoys/${convoyId}`)).toMatchObject({ status: 'failed' });
    await page.context().close();
  });

  it('town settings refuse an invalid value with a message next to the field, and save a valid one', async () => {
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}/settings`);
    const field = page.locator('[data-field="max_polecats_per_rig"]');
    await field.getByLabel('Polecats per rig').fill('500');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => field.locator('.field-error').textContent(), { timeout: UI_TIMEOUT }).toMatch(/50/);
    expect(await field.getByLabel('Polecats per rig').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'settings-error-desktop');
    expect((await api.data('GET', `/api/towns/${townId}/config`)).max_polecats_per_rig).toBe(5);

    await field.getByLabel('Polecats per rig').fill('7');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await field.locator('.field-error').textContent()).toBe('');
    expect((await api.data('GET', `/api/towns/${townId}/config`)).max_polecats_per_rig).toBe(7);
    await page.context().close();
  });

  it('rig settings show the server’s refusal next to the field it names', async () => {
    const page = await signedInPage();
    await page.goto(`${stack.baseUrl}/towns/${townId}/rigs/${rigId}`);
    const field = page.locator('[data-field="config.git_push_flags"]');
    // Shape-valid, so only the server's allow-list refuses it.
    await field.getByLabel('Push flags').fill('--force');
    await page.getByRole('button', { name: 'Save rig' }).click();
    await expect.poll(() => field.locator('.field-error').textContent(), { timeout: UI_TIMEOUT }).not.toBe('');
    expect((await api.data('GET', `/api/towns/${townId}/rigs/${rigId}`)).config).toEqual({});
    await page.context().close();
  });

  it('never lets a secret reach a page', async () => {
    const secrets = ['kilo-secret-token-0123456789', 'env-secret-value-98765', 'ghp_secretsecretsecret4321'];
    await api.data('PATCH', `/api/towns/${townId}/config`, {
      provider: { kind: 'kilo', token: secrets[0] },
      env_vars: { MY_SECRET: secrets[1] },
      git_auth: { github_token: secrets[2] },
    });
    const page = await signedInPage();
    const configReads: string[] = [];
    const texts: Promise<string>[] = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.endsWith('/config')) configReads.push(res.url());
      texts.push(res.text().catch(() => ''));
    });
    await page.goto(`${stack.baseUrl}/towns/${townId}/settings`);
    await page.locator('[data-field="provider.token"]').getByText('stored: ****6789').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-field="git_auth.github_token"]').getByText('stored: ****4321').waitFor();
    expect(await page.locator('[data-field="env_vars"] textarea').inputValue()).toBe('MY_SECRET=****8765');

    // Saving an unrelated field sends no secret back and keeps the stored ones.
    await page.getByLabel('Commit author name').fill('Gastown Bot');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: UI_TIMEOUT });

    const html = await page.content();
    const seen = [html, ...(await Promise.all(texts))].join('\n');
    for (const secret of secrets) expect(seen).not.toContain(secret);
    expect(configReads.length).toBeGreaterThanOrEqual(2);
    await page.context().close();
  });

  it('deletes a town from the towns page after confirmation', async () => {
    const doomed = await api.data('POST', '/api/towns', { name: 'Disposable town' });
    const page = await signedInPage();
    await page.goto(stack.baseUrl);
    const row = page.locator('li.row', { hasText: 'Disposable town' });
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await row.getByRole('button', { name: 'Delete town' }).click();
    await expect.poll(() => page.locator('li.row', { hasText: 'Disposable town' }).count(), { timeout: UI_TIMEOUT }).toBe(0);
    expect((await api.call('GET', `/api/towns/${String(doomed.id)}`)).status).toBe(404);
    await page.getByRole('link', { name: 'Browser town' }).waitFor();
    await page.context().close();
  });

  it('every request the pages made is a route of the API spec (or a page or the bundle)', () => {
    expect(recorder.seen.length).toBeGreaterThan(20);
    expect(recorder.violations()).toEqual([]);
    if (recorder.runtimeErrors.length > 0) console.warn(`5xx from the local runtime, not the worker: ${recorder.runtimeErrors.join(', ')}`);
    expect(recorder.serverErrors).toEqual([]);
    expect(recorder.pageErrors).toEqual([]);
    expect(recorder.apiRoutesUsed).toContain('POST /api/towns/:townId/live/ticket');
    expect(recorder.apiRoutesUsed).toContain('GET /api/towns/:townId/live');
  });
});
