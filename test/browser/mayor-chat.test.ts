/**
 * The mayor chat end to end: the worker in local mode and the local launcher, so the first
 * message starts a real mayor session (`kilo serve`) answered by the local model
 * (`container.md` §10). The page shows the user's message, the mayor's tool call and its reply
 * as they stream; the model selector changes the town config; the chat beside the overview
 * and the mayor's agent page show the same session. Screenshots of the chat at 1280×800 and
 * 390×844.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';
import { ApiClient, DESKTOP, PHONE, RequestRecorder, launchChromium, openPage, screenshot } from './browser-support.ts';

/** A cold mayor start (control server, kilo serve, first turns) on a busy machine. */
const REPLY_TIMEOUT = 150_000;
const UI_TIMEOUT = 20_000;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let stack: LocalStack;
let browser: Browser;
let api: ApiClient;
let recorder: RequestRecorder;
let token = '';
let townId = '';
let current: Page | null = null;

beforeAll(async () => {
  stack = await startLocalStack({ launcher: true });
  browser = await launchChromium();
  recorder = new RequestRecorder(stack.baseUrl);
  token = await stack.devToken();
  api = new ApiClient(stack.baseUrl, token);
  townId = String((await api.data('POST', '/api/towns', { name: 'Chat town' })).id);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    if (current !== null && !current.isClosed()) await screenshot(current, `failed-chat-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`);
    // The launcher's output says why a session did not answer.
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}failed-chat-launcher.log`, stack.logs());
  }
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('mayor chat', () => {
  it('sends a message and shows the local model’s tool call and reply as they stream', { timeout: REPLY_TIMEOUT + 60_000 }, async () => {
    const { page } = await openPage(browser, DESKTOP, token);
    current = page;
    recorder.attach(page);
    await page.goto(`${stack.baseUrl}/towns/${townId}/mayor`);
    await page.getByText('The mayor has not started yet.').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-live-status="live"]').waitFor({ timeout: UI_TIMEOUT });

    await page.getByLabel('Message to the mayor').fill('Hello mayor, what should we build?');
    await page.getByLabel('Message to the mayor').press('Enter');
    await page.locator('.msg-user', { hasText: 'Hello mayor, what should we build?' }).first().waitFor({ timeout: UI_TIMEOUT });

    // With no rig, the mayor's script lists the rigs, then says so.
    await page.locator('.tool[data-tool="gt_list_rigs"]').first().waitFor({ timeout: REPLY_TIMEOUT });
    await page.locator('.msg[data-role="assistant"]', { hasText: 'No rigs configured.' }).waitFor({ timeout: REPLY_TIMEOUT });
    expect(await page.locator('.msg[data-role="user"]', { hasText: 'Hello mayor, what should we build?' }).count()).toBeGreaterThan(0);

    const mayor = await api.data('GET', `/api/towns/${townId}/mayor`);
    expect(mayor.agent_id).toEqual(expect.any(String));
    await screenshot(page, 'chat-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'chat-phone');
    await page.context().close();
  });

  it('changes the mayor’s model through the town config', async () => {
    const { page } = await openPage(browser, DESKTOP, token);
    current = page;
    recorder.attach(page);
    await page.goto(`${stack.baseUrl}/towns/${townId}/mayor`);
    const model = page.getByRole('form', { name: 'Mayor model' });
    await expect.poll(() => model.getByLabel('Model').inputValue(), { timeout: UI_TIMEOUT }).toBe('anthropic/claude-sonnet-4.6');
    await model.getByLabel('Model').fill('not a model');
    await model.getByRole('button', { name: 'Switch' }).click();
    await model.getByRole('alert').filter({ hasText: 'provider/model' }).waitFor({ timeout: UI_TIMEOUT });

    await model.getByLabel('Model').fill('anthropic/claude-haiku-4.5');
    await model.getByRole('button', { name: 'Switch' }).click();
    const mayorModel = async (): Promise<unknown> => {
      const roleModels = (await api.data('GET', `/api/towns/${townId}/config`)).role_models;
      return typeof roleModels === 'object' && roleModels !== null && 'mayor' in roleModels ? roleModels.mayor : undefined;
    };
    await expect.poll(mayorModel, { timeout: UI_TIMEOUT }).toBe('anthropic/claude-haiku-4.5');
    await expect.poll(() => model.getByLabel('Model').inputValue(), { timeout: UI_TIMEOUT }).toBe('anthropic/claude-haiku-4.5');
    await page.context().close();
  });

  it('shows the same conversation in the chat beside the overview', async () => {
    const { page } = await openPage(browser, DESKTOP, token);
    current = page;
    recorder.attach(page);
    await page.goto(`${stack.baseUrl}/towns/${townId}`);
    await page.getByRole('button', { name: 'Chat' }).click();
    const chat = page.locator('aside.chat-drawer');
    await chat.locator('.msg[data-role="assistant"]', { hasText: 'No rigs configured.' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('heading', { name: 'Chat town', level: 1 }).waitFor();
    await page.context().close();
  });

  it('the mayor’s agent page shows its session events and status', async () => {
    const mayorId = String((await api.data('GET', `/api/towns/${townId}/mayor`)).agent_id);
    const { page } = await openPage(browser, DESKTOP, token);
    current = page;
    recorder.attach(page);
    await page.goto(`${stack.baseUrl}/towns/${townId}/agents/${mayorId}`);
    await page.getByRole('heading', { name: /mayor/, level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    const session = page.getByRole('region', { name: 'Session' });
    await session.locator('.tool[data-tool="gt_list_rigs"]').first().waitFor({ timeout: UI_TIMEOUT });
    await session.locator('.msg[data-role="assistant"]', { hasText: 'No rigs configured.' }).waitFor({ timeout: UI_TIMEOUT });
    await page.getByRole('button', { name: 'Reset' }).waitFor();
    await page.context().close();
  });

  it('every request the chat made is a route of the API spec', () => {
    expect(recorder.violations()).toEqual([]);
    if (recorder.runtimeErrors.length > 0) console.warn(`5xx from the local runtime, not the worker: ${recorder.runtimeErrors.join(', ')}`);
    expect(recorder.serverErrors).toEqual([]);
    expect(recorder.pageErrors).toEqual([]);
    expect(recorder.apiRoutesUsed).toContain('POST /api/towns/:townId/mayor/message');
    expect(recorder.apiRoutesUsed).toContain('GET /api/towns/:townId/agents/:agentId/events');
  });
});
