/**
 * Towns and town config through the real worker (`http-api.md` §3, §4.2; `domain.md` §8):
 * create, list with pagination, detail with summary counts, delete (state erased) and the
 * config's defaults, masking of secrets and merge-patch rules.
 */
import { holdTicks } from './seed.ts';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Town, TownDetail } from '../../src/protocol/api.ts';
import { TownConfig } from '../../src/protocol/config.ts';
import { DEFAULT_TOWN_CONFIG } from '../../src/town/config/index.ts';
import { call, data, devToken, errorOf, issuePaths, newRig, newTown, nextCursor, townObject, townSql, uniqueUser } from './helpers.ts';

async function user(): Promise<{ sub: string; token: string }> {
  const sub = uniqueUser();
  return { sub, token: await devToken(sub) };
}

async function storedConfig(townId: string): Promise<Record<string, unknown>> {
  const rows = await townSql(townId, 'SELECT config FROM town');
  expect(rows).toHaveLength(1);
  const raw = rows[0]?.config;
  if (typeof raw !== 'string') throw new Error('town.config is not text');
  return TownConfig.parse(JSON.parse(raw));
}

describe('POST /api/towns', () => {
  it('creates a town owned by the caller: 201 Town', async () => {
    const u = await user();
    const r = await call('POST', '/api/towns', { token: u.token, body: { name: 'Springfield' } });
    expect(r.status).toBe(201);
    const town = Town.strict().parse(data(r));
    expect(town.name).toBe('Springfield');
    expect(town.owner_type).toBe('user');
    expect(town.owner_id).toBe(u.sub);
    expect(town.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(town.updated_at).toBe(town.created_at);
  });

  it('trims the name', async () => {
    const u = await user();
    const r = await call('POST', '/api/towns', { token: u.token, body: { name: '  Shelbyville \t' } });
    expect(r.status).toBe(201);
    expect(data(r).name).toBe('Shelbyville');
  });

  it('accepts a name of 64 characters', async () => {
    const u = await user();
    const r = await call('POST', '/api/towns', { token: u.token, body: { name: 'n'.repeat(64) } });
    expect(r.status).toBe(201);
  });

  it.each([
    ['an empty name', ''],
    ['a name of only spaces', '    '],
    ['a name of 65 characters', 'n'.repeat(65)],
  ])('refuses %s: 400 on name', async (_label, name) => {
    const u = await user();
    const r = await call('POST', '/api/towns', { token: u.token, body: { name } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(['name']);
  });

  it('refuses a missing name, a non-string name and ownership fields', async () => {
    const u = await user();
    expect(issuePaths(await call('POST', '/api/towns', { token: u.token, body: {} }))).toContainEqual(['name']);
    expect(issuePaths(await call('POST', '/api/towns', { token: u.token, body: { name: 5 } }))).toContainEqual(['name']);
    const owner = await call('POST', '/api/towns', { token: u.token, body: { name: 'x', owner_id: 'someone-else' } });
    expect(owner.status).toBe(400);
    expect(issuePaths(owner)).toContainEqual(['owner_id']);
  });

  it('writes the default config once into the new town', async () => {
    const u = await user();
    const townId = await newTown(u.token);
    expect(await storedConfig(townId)).toEqual(DEFAULT_TOWN_CONFIG);
  });
});

describe('GET /api/towns', () => {
  it('lists only the caller\'s towns, newest first', async () => {
    const a = await user();
    const b = await user();
    const mine = [await newTown(a.token, 'A1'), await newTown(a.token, 'A2'), await newTown(a.token, 'A3')];
    const theirs = await newTown(b.token, 'B1');
    const r = await call('GET', '/api/towns', { token: a.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ next_cursor: null });
    const towns = data<unknown[]>(r).map((t) => Town.parse(t));
    expect(towns.map((t) => t.id).sort()).toEqual([...mine].sort());
    expect(towns.map((t) => t.id)).not.toContain(theirs);
    expect(towns.every((t) => t.owner_id === a.sub)).toBe(true);
    // Newest first by (created_at, id), both descending.
    const expected = [...towns].sort((x, y) => (x.created_at === y.created_at ? (x.id < y.id ? 1 : -1) : x.created_at < y.created_at ? 1 : -1));
    expect(towns.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    // The creation order shows through wherever the clock advanced between creations.
    const byId = new Map(towns.map((t) => [t.id, t]));
    const created = mine.map((id) => byId.get(id)?.created_at ?? '');
    expect([...created].sort()).toEqual(created);
  });

  it('is empty for a user with no towns', async () => {
    const u = await user();
    const r = await call('GET', '/api/towns', { token: u.token });
    expect(r.body).toEqual({ data: [], next_cursor: null });
  });

  it('pages with limit=1 and next_cursor until null, each town once', async () => {
    const u = await user();
    const ids = [await newTown(u.token, 'P1'), await newTown(u.token, 'P2'), await newTown(u.token, 'P3')];
    const full = data<{ id: string }[]>(await call('GET', '/api/towns', { token: u.token })).map((t) => t.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
      const r = await call('GET', `/api/towns${query}`, { token: u.token });
      expect(r.status).toBe(200);
      const page = data<{ id: string }[]>(r);
      expect(page).toHaveLength(1);
      seen.push(...page.map((t) => t.id));
      cursor = nextCursor(r);
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(full);
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('a page as large as the list has no next cursor', async () => {
    const u = await user();
    await newTown(u.token, 'Q1');
    await newTown(u.token, 'Q2');
    const r = await call('GET', '/api/towns?limit=2', { token: u.token });
    expect(data<unknown[]>(r)).toHaveLength(2);
    expect(r.body).toMatchObject({ next_cursor: null });
  });
});

describe('GET /api/towns/:townId', () => {
  it('returns TownDetail with zero counts for a new town', async () => {
    const u = await user();
    const townId = await newTown(u.token, 'Detail');
    const r = await call('GET', `/api/towns/${townId}`, { token: u.token });
    expect(r.status).toBe(200);
    const detail = TownDetail.parse(data(r));
    expect(detail).toMatchObject({ id: townId, name: 'Detail', owner_type: 'user', owner_id: u.sub });
    expect(detail.summary).toEqual({
      rigs: 0,
      beads: { open: 0, in_progress: 0, in_review: 0, closed: 0, failed: 0 },
      agents: { idle: 0, working: 0, waiting: 0, stalled: 0, dead: 0 },
      draining: false,
      mayor_agent_id: null,
    });
  });

  it('counts rigs and beads by status', async () => {
    const u = await user();
    const townId = await newTown(u.token);
    const rigA = await newRig(u.token, townId, 'alpha');
    await newRig(u.token, townId, 'beta', 'https://gitlab.com/acme/beta.git');
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three', 'four', 'five']) {
      const r = await call('POST', `/api/towns/${townId}/beads`, { token: u.token, body: { rig_id: rigA, title, held: true } });
      expect(r.status).toBe(201);
      ids.push(data<{ id: string }>(r).id);
    }
    const [, second, third, fourth] = ids;
    if (second === undefined || third === undefined || fourth === undefined) throw new Error('beads missing');
    expect((await call('PATCH', `/api/towns/${townId}/beads/${second}`, { token: u.token, body: { status: 'closed' } })).status).toBe(200);
    expect((await call('PATCH', `/api/towns/${townId}/beads/${third}`, { token: u.token, body: { status: 'failed' } })).status).toBe(200);
    // No route dispatches yet: put one bead in progress directly.
    await townSql(townId, `UPDATE beads SET status = 'in_progress' WHERE bead_id = ?`, fourth);

    const detail = TownDetail.parse(data(await call('GET', `/api/towns/${townId}`, { token: u.token })));
    expect(detail.summary.rigs).toBe(2);
    expect(detail.summary.beads).toEqual({ open: 2, in_progress: 1, in_review: 0, closed: 1, failed: 1 });
  });

  it('is 404 for a town id that names nothing', async () => {
    const u = await user();
    const r = await call('GET', `/api/towns/${crypto.randomUUID()}`, { token: u.token });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });
});

describe('DELETE /api/towns/:townId', () => {
  it('deletes: 200 {deleted: true}, then 404 on GET and on a second DELETE', async () => {
    const u = await user();
    const townId = await newTown(u.token);
    const r = await call('DELETE', `/api/towns/${townId}`, { token: u.token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { deleted: true } });
    const get = await call('GET', `/api/towns/${townId}`, { token: u.token });
    expect(get.status).toBe(404);
    expect(errorOf(get).code).toBe('not_found');
    const again = await call('DELETE', `/api/towns/${townId}`, { token: u.token });
    expect(again.status).toBe(404);
  });

  it('removes the town from the owner\'s list and leaves the others', async () => {
    const u = await user();
    const keep = await newTown(u.token, 'Keep');
    const drop = await newTown(u.token, 'Drop');
    expect((await call('DELETE', `/api/towns/${drop}`, { token: u.token })).status).toBe(200);
    const list = data<{ id: string }[]>(await call('GET', '/api/towns', { token: u.token })).map((t) => t.id);
    expect(list).toEqual([keep]);
  });

  it('erases its state: rigs, beads and config are gone and their routes are 404', async () => {
    const u = await user();
    const townId = await newTown(u.token);
    const rigId = await newRig(u.token, townId);
    const bead = await call('POST', `/api/towns/${townId}/beads`, { token: u.token, body: { rig_id: rigId, title: 'Doomed', held: true } });
    const beadId = data<{ id: string }>(bead).id;
    expect((await call('PATCH', `/api/towns/${townId}/config`, { token: u.token, body: { git_auth: { github_token: 'ghp_abcdefghijklmnop1234' } } })).status).toBe(200);
    // A pending alarm (as the idle cadence leaves one); deleting the town clears it.
    await holdTicks(townId);
    const alarmAt = Date.now() + 3_600_000;
    await runInDurableObject(townObject(townId), (_instance, state) => state.storage.setAlarm(alarmAt));
    expect(await runInDurableObject(townObject(townId), (_instance, state) => state.storage.getAlarm())).toBe(alarmAt);

    expect((await call('DELETE', `/api/towns/${townId}`, { token: u.token })).status).toBe(200);

    for (const path of [`/api/towns/${townId}/rigs/${rigId}`, `/api/towns/${townId}/beads/${beadId}`, `/api/towns/${townId}/config`, `/api/towns/${townId}/rigs`]) {
      const r = await call('GET', path, { token: u.token });
      expect(r.status, path).toBe(404);
    }
    const counts = await townSql(
      townId,
      `SELECT (SELECT COUNT(*) FROM town) AS towns, (SELECT COUNT(*) FROM rigs) AS rigs, (SELECT COUNT(*) FROM beads) AS beads,
              (SELECT COUNT(*) FROM bead_events) AS events`,
    );
    expect(counts).toEqual([{ towns: 0, rigs: 0, beads: 0, events: 0 }]);
    expect(await runInDurableObject(townObject(townId), (_instance, state) => state.storage.getAlarm())).toBeNull();
  });

  it('a write to a deleted town is a 404 and does not resurrect it', async () => {
    const u = await user();
    const townId = await newTown(u.token);
    expect((await call('DELETE', `/api/towns/${townId}`, { token: u.token })).status).toBe(200);
    const r = await call('POST', `/api/towns/${townId}/rigs`, { token: u.token, body: { name: 'late', git_url: 'https://github.com/a/b.git' } });
    expect(r.status).toBe(404);
    expect(await townSql(townId, 'SELECT * FROM rigs')).toEqual([]);
  });
});

describe('GET /api/towns/:townId/config', () => {
  it('returns the defaults of domain.md §8 for a new town', async () => {
    const u = await user();
    const townId = await newTown(u.token);
    const r = await call('GET', `/api/towns/${townId}/config`, { token: u.token });
    expect(r.status).toBe(200);
    expect(data(r)).toEqual({
      default_model: 'anthropic/claude-sonnet-4.6',
      small_model: 'anthropic/claude-haiku-4.5',
      role_models: { mayor: null, refinery: null, polecat: null },
      max_polecats_per_rig: 5,
      max_dispatch_attempts: 5,
      merge_strategy: null,
      refinery: {
        code_review: true,
        auto_merge: true,
        auto_resolve_pr_feedback: true,
        auto_resolve_merge_conflicts: true,
        review_mode: 'comments',
        auto_merge_delay_minutes: 5,
        gates: [],
      },
      staged_convoys_default: false,
      convoy_merge_mode: 'review-then-land',
      alarm: { active_interval_seconds: 5, idle_interval_seconds: 300 },
      custom_instructions: { mayor: '', polecat: '', refinery: '' },
      provider: null,
      env_vars: {},
      git_auth: {},
      github_cli_pat: null,
      github_api_url: null,
      git_author_name: null,
      git_author_email: null,
      disable_ai_coauthor: false,
    });
  });
});

describe('PATCH /api/towns/:townId/config', () => {
  async function setup(): Promise<{ token: string; townId: string; patch: (body: unknown) => ReturnType<typeof call>; get: () => Promise<TownConfig> }> {
    const u = await user();
    const townId = await newTown(u.token);
    return {
      token: u.token,
      townId,
      patch: (body) => call('PATCH', `/api/towns/${townId}/config`, { token: u.token, body }),
      get: async () => TownConfig.parse(data(await call('GET', `/api/towns/${townId}/config`, { token: u.token }))),
    };
  }

  it('sets a secret and returns it masked as **** + last 4, on PATCH and GET', async () => {
    const t = await setup();
    const r = await t.patch({ git_auth: { github_token: 'ghp_abcdefghijklmnop1234' } });
    expect(r.status).toBe(200);
    expect(TownConfig.parse(data(r)).git_auth).toEqual({ github_token: '****1234' });
    expect((await t.get()).git_auth).toEqual({ github_token: '****1234' });
    expect(JSON.stringify(r.body)).not.toContain('ghp_');
    const stored = await storedConfig(t.townId);
    expect(stored.git_auth).toEqual({ github_token: 'ghp_abcdefghijklmnop1234' });
  });

  it('sending the masked value back keeps the stored secret', async () => {
    const t = await setup();
    expect((await t.patch({ git_auth: { github_token: 'ghp_abcdefghijklmnop1234' } })).status).toBe(200);
    const r = await t.patch({ git_auth: { github_token: '****1234', gitlab_token: 'glpat-zyxwvutsrq9876' }, max_polecats_per_rig: 8 });
    expect(r.status).toBe(200);
    expect(TownConfig.parse(data(r)).git_auth).toEqual({ github_token: '****1234', gitlab_token: '****9876' });
    const stored = await storedConfig(t.townId);
    expect(stored.git_auth).toEqual({ github_token: 'ghp_abcdefghijklmnop1234', gitlab_token: 'glpat-zyxwvutsrq9876' });
    expect(stored.max_polecats_per_rig).toBe(8);
  });

  it('a bare **** also keeps the stored secret', async () => {
    const t = await setup();
    expect((await t.patch({ github_cli_pat: 'github_pat_0123456789abcdef' })).status).toBe(200);
    expect((await t.patch({ github_cli_pat: '****' })).status).toBe(200);
    expect((await storedConfig(t.townId)).github_cli_pat).toBe('github_pat_0123456789abcdef');
    expect((await t.get()).github_cli_pat).toBe('****cdef');
  });

  it('a masked value with no stored secret behind it is a 400 on its path', async () => {
    const t = await setup();
    const r = await t.patch({ git_auth: { github_token: '****1234' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(['git_auth', 'github_token']);
    expect((await storedConfig(t.townId)).git_auth).toEqual({});
  });

  it('a secret shorter than 8 characters is shown as **** alone', async () => {
    const t = await setup();
    const r = await t.patch({ git_auth: { github_token: 'abc1234' } });
    expect(r.status).toBe(200);
    expect(TownConfig.parse(data(r)).git_auth.github_token).toBe('****');
    expect((await t.get()).git_auth.github_token).toBe('****');
  });

  it('masks provider secrets and the GitHub CLI PAT', async () => {
    const t = await setup();
    const r = await t.patch({ provider: { kind: 'kilo', token: 'kilo-token-abcdefgh' }, github_cli_pat: 'github_pat_0123456789abcdef' });
    expect(r.status).toBe(200);
    const cfg = await t.get();
    expect(cfg.provider).toEqual({ kind: 'kilo', token: '****efgh' });
    expect(cfg.github_cli_pat).toBe('****cdef');
  });

  it('masks every env_vars value and keeps a masked one on PATCH', async () => {
    const t = await setup();
    const r = await t.patch({ env_vars: { API_URL: 'https://api.example.com/v1', SHORT: 'abc', DEBUG_LEVEL: 'verbose-9' } });
    expect(r.status).toBe(200);
    expect((await t.get()).env_vars).toEqual({ API_URL: '****m/v1', SHORT: '****', DEBUG_LEVEL: '****se-9' });
    expect((await t.patch({ env_vars: { API_URL: '****m/v1', SHORT: 'changed-value' } })).status).toBe(200);
    expect((await storedConfig(t.townId)).env_vars).toEqual({ API_URL: 'https://api.example.com/v1', SHORT: 'changed-value', DEBUG_LEVEL: 'verbose-9' });
  });

  it('null removes an env var and resets fields to their defaults', async () => {
    const t = await setup();
    expect(
      (
        await t.patch({
          max_polecats_per_rig: 9,
          refinery: { code_review: false, gates: ['npm test'] },
          env_vars: { KEEP_ME: 'value-0001', DROP_ME: 'value-0002' },
          git_auth: { github_token: 'ghp_abcdefghijklmnop1234' },
        })
      ).status,
    ).toBe(200);
    const r = await t.patch({ max_polecats_per_rig: null, refinery: { code_review: null }, env_vars: { DROP_ME: null }, git_auth: null });
    expect(r.status).toBe(200);
    const cfg = await t.get();
    expect(cfg.max_polecats_per_rig).toBe(5);
    expect(cfg.refinery.code_review).toBe(true);
    expect(cfg.refinery.gates).toEqual(['npm test']);
    expect(cfg.env_vars).toEqual({ KEEP_ME: '****0001' });
    expect(cfg.git_auth).toEqual({});
    expect((await storedConfig(t.townId)).git_auth).toEqual({});
  });

  it('merges objects and replaces arrays', async () => {
    const t = await setup();
    expect((await t.patch({ refinery: { gates: ['npm test', 'npm run lint'], review_mode: 'rework' } })).status).toBe(200);
    expect((await t.patch({ refinery: { gates: ['make check'] } })).status).toBe(200);
    const cfg = await t.get();
    expect(cfg.refinery).toMatchObject({ gates: ['make check'], review_mode: 'rework', code_review: true });
  });

  it('refinery.auto_merge_delay_minutes: null is stored as "never auto-merge", not reset to 5', async () => {
    const t = await setup();
    const r = await t.patch({ refinery: { auto_merge_delay_minutes: null } });
    expect(r.status).toBe(200);
    expect((await t.get()).refinery.auto_merge_delay_minutes).toBeNull();
    expect((await t.patch({ refinery: { auto_merge_delay_minutes: 30 } })).status).toBe(200);
    expect((await t.get()).refinery.auto_merge_delay_minutes).toBe(30);
    expect((await t.patch({ refinery: null })).status).toBe(200);
    expect((await t.get()).refinery).toEqual(DEFAULT_TOWN_CONFIG.refinery);
  });

  it('an empty patch changes nothing', async () => {
    const t = await setup();
    const r = await t.patch({});
    expect(r.status).toBe(200);
    expect(data(r)).toEqual(DEFAULT_TOWN_CONFIG);
  });

  it('an unknown key is a 400 naming its path, and nothing is stored', async () => {
    const t = await setup();
    const top = await t.patch({ max_polecats_per_rig: 7, colour: 'red' });
    expect(top.status).toBe(400);
    expect(errorOf(top).code).toBe('validation_failed');
    expect(issuePaths(top)).toContainEqual(['colour']);
    const nested = await t.patch({ refinery: { speed: 'fast' } });
    expect(nested.status).toBe(400);
    expect(issuePaths(nested)).toContainEqual(['refinery', 'speed']);
    expect((await storedConfig(t.townId)).max_polecats_per_rig).toBe(5);
  });

  it.each(['HOME', 'GITHUB_TOKEN', 'GASTOWN_SECRET', 'GIT_AUTHOR_NAME'])('refuses the reserved env var name %s: 400 on its path', async (name) => {
    const t = await setup();
    const r = await t.patch({ env_vars: { [name]: 'x' } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['env_vars', name]);
  });

  it('refuses an env var name outside ^[A-Z_][A-Z0-9_]*$', async () => {
    const t = await setup();
    const r = await t.patch({ env_vars: { 'lower-case': 'x' } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['env_vars', 'lower-case']);
  });

  it.each([
    ['max_polecats_per_rig 0', { max_polecats_per_rig: 0 }, ['max_polecats_per_rig']],
    ['max_polecats_per_rig 51', { max_polecats_per_rig: 51 }, ['max_polecats_per_rig']],
    ['max_dispatch_attempts 11', { max_dispatch_attempts: 11 }, ['max_dispatch_attempts']],
    ['alarm.active_interval_seconds 1', { alarm: { active_interval_seconds: 1 } }, ['alarm', 'active_interval_seconds']],
    ['a model without a provider', { default_model: 'sonnet' }, ['default_model']],
    ['merge_strategy squash', { merge_strategy: 'squash' }, ['merge_strategy']],
    ['an https URL with credentials', { github_api_url: 'https://user:pw@ghe.example.com/api/v3' }, ['github_api_url']],
    ['plain http on a non-loopback host', { github_api_url: 'http://ghe.example.com/api/v3' }, ['github_api_url']],
    ['a bad author email', { git_author_email: 'not-an-email' }, ['git_author_email']],
  ])('refuses %s: 400 on its path', async (_label, body, path) => {
    const t = await setup();
    const r = await t.patch(body);
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(path);
    expect(await storedConfig(t.townId)).toEqual(DEFAULT_TOWN_CONFIG);
  });

  it('accepts development-only loopback http URLs (ENVIRONMENT=development)', async () => {
    const t = await setup();
    const r = await t.patch({ github_api_url: 'http://127.0.0.1:8787/api/v3', git_auth: { gitlab_instance_url: 'http://localhost:9000' } });
    expect(r.status).toBe(200);
    const cfg = await t.get();
    expect(cfg.github_api_url).toBe('http://127.0.0.1:8787/api/v3');
    expect(cfg.git_auth.gitlab_instance_url).toBe('http://localhost:9000');
  });

  it('stamps the town\'s updated_at with the town clock', async () => {
    const t = await setup();
    const before = TownDetail.parse(data(await call('GET', `/api/towns/${t.townId}`, { token: t.token })));
    const pinned = Date.parse(before.created_at) + 60_000;
    await runInDurableObject(townObject(t.townId), (instance) => instance.clock.set(pinned));
    expect((await t.patch({ max_polecats_per_rig: 6 })).status).toBe(200);
    const after = TownDetail.parse(data(await call('GET', `/api/towns/${t.townId}`, { token: t.token })));
    expect(after.updated_at).toBe(new Date(pinned).toISOString());
    expect(after.created_at).toBe(before.created_at);
  });
});
