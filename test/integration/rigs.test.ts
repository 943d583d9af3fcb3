/**
 * Rigs through the real worker (`http-api.md` §4.2, `domain.md` §2 and §8, `scm.md` §3):
 * create with its git_url and config rules, list with pagination, detail, patch (name, default
 * branch, config merge patch; git_url fixed) and delete with its refusal and its effects on
 * beads and convoys.
 */
import { describe, expect, it } from 'vitest';
import { Bead, ConvoyDetail, Rig, RigDetail } from '../../src/protocol/api.ts';
import { call, data, devToken, errorOf, issuePaths, newRig, newTown, nextCursor, townSql, uniqueUser } from './helpers.ts';

async function town(): Promise<{ token: string; townId: string }> {
  const token = await devToken(uniqueUser());
  return { token, townId: await newTown(token) };
}

function rigsPath(townId: string, rigId?: string): string {
  return rigId === undefined ? `/api/towns/${townId}/rigs` : `/api/towns/${townId}/rigs/${rigId}`;
}

async function createBead(token: string, townId: string, rigId: string, title: string): Promise<string> {
  const r = await call('POST', `/api/towns/${townId}/beads`, { token, body: { rig_id: rigId, title, held: true } });
  expect(r.status).toBe(201);
  return data<{ id: string }>(r).id;
}

async function beadOf(token: string, townId: string, beadId: string): Promise<Bead> {
  const r = await call('GET', `/api/towns/${townId}/beads/${beadId}`, { token });
  expect(r.status).toBe(200);
  return Bead.parse(data<{ bead: unknown }>(r).bead);
}

/** Inserts a polecat of `rigId` with `status` (no route creates agents yet); returns its id. */
async function seedPolecat(townId: string, rigId: string, status: 'idle' | 'working', name: string): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await townSql(
    townId,
    `INSERT INTO beads (bead_id, type, status, title, rig_id, created_by, created_at, updated_at, status_changed_at)
     VALUES (?, 'agent', 'open', ?, ?, 'system', ?, ?, ?)`,
    id,
    name,
    rigId,
    now,
    now,
    now,
  );
  await townSql(townId, `INSERT INTO agent_metadata (bead_id, role, name, identity, status) VALUES (?, 'polecat', ?, ?, ?)`, id, name, `${rigId}:${name}`, status);
  return id;
}

describe('POST /api/towns/:townId/rigs', () => {
  it('creates a rig: 201 Rig with default_branch main and no overrides', async () => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'app', git_url: 'https://github.com/acme/app.git' } });
    expect(r.status).toBe(201);
    const rig = Rig.strict().parse(data(r));
    expect(rig).toMatchObject({ town_id: t.townId, name: 'app', git_url: 'https://github.com/acme/app.git', default_branch: 'main', config: {} });
    expect(rig.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rig.updated_at).toBe(rig.created_at);
  });

  it('keeps a given default_branch and config', async () => {
    const t = await town();
    const config = { max_polecats_per_rig: 2, refinery: { code_review: false }, git_push_flags: ['--atomic', '--follow-tags'], merge_strategy: 'direct' };
    const r = await call('POST', rigsPath(t.townId), {
      token: t.token,
      body: { name: 'svc', git_url: 'https://gitlab.com/acme/svc', default_branch: 'develop', config },
    });
    expect(r.status).toBe(201);
    expect(Rig.parse(data(r))).toMatchObject({ default_branch: 'develop', config });
    const got = await call('GET', rigsPath(t.townId, data<{ id: string }>(r).id), { token: t.token });
    expect(data(got).config).toEqual(config);
  });

  it.each([
    ['a name with a space', 'my app'],
    ['a name with a slash', 'a/b'],
    ['an empty name', ''],
    ['a name of 65 characters', 'n'.repeat(65)],
  ])('refuses %s: 400 on name', async (_label, name) => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name, git_url: 'https://github.com/a/b.git' } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['name']);
  });

  it('refuses a bad default_branch: 400 on default_branch', async () => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'x', git_url: 'https://github.com/a/b.git', default_branch: 'has space' } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['default_branch']);
  });

  it('a taken name is a 409 name_taken, case-insensitively', async () => {
    const t = await town();
    await newRig(t.token, t.townId, 'app');
    for (const name of ['app', 'APP', 'App']) {
      const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name, git_url: 'https://github.com/acme/other.git' } });
      expect(r.status, name).toBe(409);
      expect(errorOf(r).code).toBe('name_taken');
    }
    const list = data<unknown[]>(await call('GET', rigsPath(t.townId), { token: t.token }));
    expect(list).toHaveLength(1);
  });

  it('names are unique per town, not across towns', async () => {
    const token = await devToken(uniqueUser());
    const a = await newTown(token, 'A');
    const b = await newTown(token, 'B');
    await newRig(token, a, 'shared');
    const r = await call('POST', rigsPath(b), { token, body: { name: 'shared', git_url: 'https://github.com/acme/app.git' } });
    expect(r.status).toBe(201);
  });

  it.each([
    'https://github.com/acme/app.git',
    'https://github.com/acme/app',
    'https://git.example.com:8443/team/repo.git',
    'file:///tmp/x',
    'http://127.0.0.1:9/x.git',
    'http://localhost:8080/repo.git',
  ])('accepts git_url %s (loopback http and file:// only in development)', async (gitUrl) => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r', git_url: gitUrl } });
    expect(r.status).toBe(201);
    expect(data(r).git_url).toBe(gitUrl);
  });

  it.each([
    ['userinfo', 'https://oauth2:ghp_secret1234567890@github.com/acme/app.git'],
    ['a user name', 'https://alice@github.com/acme/app.git'],
    ['a query', 'https://github.com/acme/app.git?ref=main'],
    ['a fragment', 'https://github.com/acme/app.git#main'],
    ['an scp-like ssh URL', 'git@github.com:a/b.git'],
    ['an ssh:// URL', 'ssh://git@github.com/a/b.git'],
    ['a git+ssh URL', 'git+ssh://github.com/a/b.git'],
    ['plain http on a public host', 'http://github.com/acme/app.git'],
    ['another scheme', 'ftp://example.com/a/b.git'],
    ['no repository path', 'https://github.com'],
    ['a relative path', 'acme/app'],
    ['a leading dash', '-uhttps://github.com/a/b.git'],
    ['whitespace', 'https://github.com/acme/app .git'],
    ['a dot segment', 'https://github.com/acme/../app.git'],
    ['an empty string', ''],
  ])('refuses git_url with %s: 400 on git_url', async (_label, gitUrl) => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r', git_url: gitUrl } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toEqual([['git_url']]);
    expect(JSON.stringify(r.body)).not.toContain('ghp_secret');
    expect(data<unknown[]>(await call('GET', rigsPath(t.townId), { token: t.token }))).toEqual([]);
  });

  it('refuses a force push flag: 400 naming the flag\'s path', async () => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r', git_url: 'https://github.com/a/b.git', config: { git_push_flags: ['--force'] } } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['config', 'git_push_flags', 0]);
  });

  it.each([['-f'], ['--force-with-lease'], ['--no-verify'], ['+main']])('refuses push flag %s at its index', async (flag) => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r', git_url: 'https://github.com/a/b.git', config: { git_push_flags: ['--atomic', flag] } } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['config', 'git_push_flags', 1]);
  });

  it('refuses merge_strategy pr on a plain-git (file://) rig but accepts it on GitHub', async () => {
    const t = await town();
    const local = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'local', git_url: 'file:///srv/repos/local', config: { merge_strategy: 'pr' } } });
    expect(local.status).toBe(400);
    expect(issuePaths(local)).toContainEqual(['config', 'merge_strategy']);
    const direct = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'local', git_url: 'file:///srv/repos/local', config: { merge_strategy: 'direct' } } });
    expect(direct.status).toBe(201);
    const hub = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'hub', git_url: 'https://github.com/acme/hub.git', config: { merge_strategy: 'pr' } } });
    expect(hub.status).toBe(201);
  });

  it('refuses an unknown config key and a town-only field in the rig config', async () => {
    const t = await town();
    const unknown = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r', git_url: 'https://github.com/a/b.git', config: { colour: 'red' } } });
    expect(unknown.status).toBe(400);
    expect(issuePaths(unknown)).toContainEqual(['config', 'colour']);
    const townOnly = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r', git_url: 'https://github.com/a/b.git', config: { default_model: 'a/b' } } });
    expect(townOnly.status).toBe(400);
    expect(issuePaths(townOnly)).toContainEqual(['config', 'default_model']);
  });

  it('refuses a missing git_url', async () => {
    const t = await town();
    const r = await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'r' } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['git_url']);
  });
});

describe('GET /api/towns/:townId/rigs', () => {
  it('lists the town\'s rigs newest first', async () => {
    const t = await town();
    const ids = [await newRig(t.token, t.townId, 'r1'), await newRig(t.token, t.townId, 'r2'), await newRig(t.token, t.townId, 'r3')];
    const r = await call('GET', rigsPath(t.townId), { token: t.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ next_cursor: null });
    const rigs = data<unknown[]>(r).map((x) => Rig.parse(x));
    expect(rigs.map((x) => x.id).sort()).toEqual([...ids].sort());
    const expected = [...rigs].sort((x, y) => (x.created_at === y.created_at ? (x.id < y.id ? 1 : -1) : x.created_at < y.created_at ? 1 : -1));
    expect(rigs.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    expect(rigs.every((x) => x.town_id === t.townId)).toBe(true);
  });

  it('pages with limit=1 until next_cursor is null', async () => {
    const t = await town();
    await newRig(t.token, t.townId, 'p1');
    await newRig(t.token, t.townId, 'p2');
    await newRig(t.token, t.townId, 'p3');
    const full = data<{ id: string }[]>(await call('GET', rigsPath(t.townId), { token: t.token })).map((x) => x.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
      const r = await call('GET', `${rigsPath(t.townId)}${query}`, { token: t.token });
      expect(r.status).toBe(200);
      seen.push(...data<{ id: string }[]>(r).map((x) => x.id));
      cursor = nextCursor(r);
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(full);
  });

  it('is empty for a town without rigs', async () => {
    const t = await town();
    expect((await call('GET', rigsPath(t.townId), { token: t.token })).body).toEqual({ data: [], next_cursor: null });
  });
});

describe('GET /api/towns/:townId/rigs/:rigId', () => {
  it('returns RigDetail: the rig, no agents and zero bead counts', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'detail');
    const r = await call('GET', rigsPath(t.townId, rigId), { token: t.token });
    expect(r.status).toBe(200);
    const detail = RigDetail.parse(data(r));
    expect(detail).toMatchObject({ id: rigId, name: 'detail', town_id: t.townId, agents: [] });
    expect(detail.beads).toEqual({ open: 0, in_progress: 0, in_review: 0, closed: 0, failed: 0 });
  });

  it('counts only this rig\'s beads by status', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'counted');
    const other = await newRig(t.token, t.townId, 'other');
    const a = await createBead(t.token, t.townId, rigId, 'a');
    await createBead(t.token, t.townId, rigId, 'b');
    await createBead(t.token, t.townId, other, 'elsewhere');
    expect((await call('PATCH', `/api/towns/${t.townId}/beads/${a}`, { token: t.token, body: { status: 'closed' } })).status).toBe(200);
    const detail = RigDetail.parse(data(await call('GET', rigsPath(t.townId, rigId), { token: t.token })));
    expect(detail.beads).toEqual({ open: 1, in_progress: 0, in_review: 0, closed: 1, failed: 0 });
  });

  it('is a 404 for an unknown rig and a 400 invalid_id for a malformed one', async () => {
    const t = await town();
    const unknown = await call('GET', rigsPath(t.townId, crypto.randomUUID()), { token: t.token });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
    const malformed = await call('GET', rigsPath(t.townId, 'rig-1'), { token: t.token });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toMatchObject({ code: 'invalid_id', details: { param: 'rigId' } });
  });

  it('a rig of another town of the same user is a 404 here', async () => {
    const token = await devToken(uniqueUser());
    const a = await newTown(token, 'A');
    const b = await newTown(token, 'B');
    const rigId = await newRig(token, a, 'only-in-a');
    expect((await call('GET', rigsPath(b, rigId), { token })).status).toBe(404);
  });
});

describe('PATCH /api/towns/:townId/rigs/:rigId', () => {
  it('renames and changes the default branch', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'old');
    const r = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { name: 'new-name', default_branch: 'trunk' } });
    expect(r.status).toBe(200);
    const rig = Rig.parse(data(r));
    expect(rig).toMatchObject({ id: rigId, name: 'new-name', default_branch: 'trunk', git_url: 'https://github.com/acme/app.git' });
    const got = Rig.parse(data(await call('GET', rigsPath(t.townId, rigId), { token: t.token })));
    expect(got).toMatchObject({ name: 'new-name', default_branch: 'trunk' });
  });

  it('a name another rig holds is a 409 name_taken, case-insensitively; the rig\'s own name in another case is fine', async () => {
    const t = await town();
    await newRig(t.token, t.townId, 'taken');
    const rigId = await newRig(t.token, t.townId, 'mine');
    const clash = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { name: 'TAKEN' } });
    expect(clash.status).toBe(409);
    expect(errorOf(clash).code).toBe('name_taken');
    expect(data((await call('GET', rigsPath(t.townId, rigId), { token: t.token }))).name).toBe('mine');
    const recase = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { name: 'MINE' } });
    expect(recase.status).toBe(200);
    expect(data(recase).name).toBe('MINE');
  });

  it('merge-patches the config: objects merge, arrays replace, null removes an override', async () => {
    const t = await town();
    const created = await call('POST', rigsPath(t.townId), {
      token: t.token,
      body: { name: 'cfg', git_url: 'https://github.com/acme/cfg.git', config: { max_polecats_per_rig: 3, refinery: { code_review: false }, git_push_flags: ['--atomic'] } },
    });
    const rigId = data<{ id: string }>(created).id;
    const r = await call('PATCH', rigsPath(t.townId, rigId), {
      token: t.token,
      body: { config: { refinery: { auto_merge: false }, git_push_flags: ['--follow-tags'], max_polecats_per_rig: null } },
    });
    expect(r.status).toBe(200);
    expect(Rig.parse(data(r)).config).toEqual({ refinery: { code_review: false, auto_merge: false }, git_push_flags: ['--follow-tags'] });
    const again = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { config: { refinery: null } } });
    expect(Rig.parse(data(again)).config).toEqual({ git_push_flags: ['--follow-tags'] });
  });

  it('keeps auto_merge_delay_minutes: null as an override (never auto-merge)', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'nomerge');
    const r = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { config: { refinery: { auto_merge_delay_minutes: null } } } });
    expect(r.status).toBe(200);
    expect(Rig.parse(data(r)).config).toEqual({ refinery: { auto_merge_delay_minutes: null } });
  });

  it('git_url cannot change: 400 naming git_url, and nothing changes', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'fixed');
    const r = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { name: 'renamed', git_url: 'https://github.com/acme/other.git' } });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('validation_failed');
    expect(issuePaths(r)).toContainEqual(['git_url']);
    const got = Rig.parse(data(await call('GET', rigsPath(t.townId, rigId), { token: t.token })));
    expect(got).toMatchObject({ name: 'fixed', git_url: 'https://github.com/acme/app.git' });
  });

  it('refuses a force push flag and merge_strategy pr on a plain-git rig, naming the paths', async () => {
    const t = await town();
    const hub = await newRig(t.token, t.townId, 'hub');
    const flags = await call('PATCH', rigsPath(t.townId, hub), { token: t.token, body: { config: { git_push_flags: ['--force'] } } });
    expect(flags.status).toBe(400);
    expect(issuePaths(flags)).toContainEqual(['config', 'git_push_flags', 0]);
    const local = await newRig(t.token, t.townId, 'local', 'file:///srv/repos/local');
    const pr = await call('PATCH', rigsPath(t.townId, local), { token: t.token, body: { config: { merge_strategy: 'pr' } } });
    expect(pr.status).toBe(400);
    expect(issuePaths(pr)).toContainEqual(['config', 'merge_strategy']);
    expect(Rig.parse(data(await call('GET', rigsPath(t.townId, local), { token: t.token }))).config).toEqual({});
  });

  it('an unknown config key is a 400 naming its path', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'strict');
    const r = await call('PATCH', rigsPath(t.townId, rigId), { token: t.token, body: { config: { refinery: { speed: 1 } } } });
    expect(r.status).toBe(400);
    expect(issuePaths(r)).toContainEqual(['config', 'refinery', 'speed']);
  });

  it('is a 404 for an unknown rig', async () => {
    const t = await town();
    const r = await call('PATCH', rigsPath(t.townId, crypto.randomUUID()), { token: t.token, body: { name: 'x' } });
    expect(r.status).toBe(404);
  });
});

describe('DELETE /api/towns/:townId/rigs/:rigId', () => {
  it('deletes: 200 {deleted: true}, then 404 on GET and on a second DELETE, and it leaves the list', async () => {
    const t = await town();
    const keep = await newRig(t.token, t.townId, 'keep');
    const rigId = await newRig(t.token, t.townId, 'gone');
    const r = await call('DELETE', rigsPath(t.townId, rigId), { token: t.token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { deleted: true } });
    expect((await call('GET', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(404);
    expect((await call('DELETE', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(404);
    expect(data<{ id: string }[]>(await call('GET', rigsPath(t.townId), { token: t.token })).map((x) => x.id)).toEqual([keep]);
  });

  it('frees the name for a new rig', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'reuse');
    expect((await call('DELETE', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);
    expect((await call('POST', rigsPath(t.townId), { token: t.token, body: { name: 'REUSE', git_url: 'https://github.com/a/b.git' } })).status).toBe(201);
  });

  it.each(['in_progress', 'in_review'])('is refused with 409 conflict while a bead of the rig is %s', async (status) => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'busy');
    const beadId = await createBead(t.token, t.townId, rigId, 'live work');
    // No route dispatches yet: put the bead in its live state directly.
    await townSql(t.townId, `UPDATE beads SET status = ? WHERE bead_id = ?`, status, beadId);
    const r = await call('DELETE', rigsPath(t.townId, rigId), { token: t.token });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
    expect((await call('GET', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);
    expect((await beadOf(t.token, t.townId, beadId)).status).toBe(status);
  });

  it('is refused with 409 conflict while an agent of the rig is working', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'staffed');
    await seedPolecat(t.townId, rigId, 'working', 'toast');
    const r = await call('DELETE', rigsPath(t.townId, rigId), { token: t.token });
    expect(r.status).toBe(409);
    expect(errorOf(r).code).toBe('conflict');
    expect((await call('GET', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);
  });

  it('kills the rig\'s idle agents: they become dead', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'staffed');
    const agentId = await seedPolecat(t.townId, rigId, 'idle', 'nux');
    const detail = RigDetail.parse(data(await call('GET', rigsPath(t.townId, rigId), { token: t.token })));
    expect(detail.agents.map((a) => ({ id: a.id, status: a.status, role: a.role }))).toEqual([{ id: agentId, status: 'idle', role: 'polecat' }]);

    expect((await call('DELETE', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);

    expect((await call('GET', `/api/towns/${t.townId}/agents/${agentId}`, { token: t.token })).status).toBe(404);
    const dead = await call('GET', `/api/towns/${t.townId}/agents?status=dead`, { token: t.token });
    expect(dead.status).toBe(200);
    expect(data<{ id: string; status: string }[]>(dead).map((a) => ({ id: a.id, status: a.status }))).toEqual([{ id: agentId, status: 'dead' }]);
  });

  it('a live bead of another rig does not block the delete', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'idle');
    const other = await newRig(t.token, t.townId, 'busy');
    const beadId = await createBead(t.token, t.townId, other, 'elsewhere');
    await townSql(t.townId, `UPDATE beads SET status = 'in_progress' WHERE bead_id = ?`, beadId);
    expect((await call('DELETE', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);
  });

  it('fails the rig\'s open beads with reason rig_deleted and leaves finished ones', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'doomed');
    const other = await newRig(t.token, t.townId, 'safe');
    const open = await createBead(t.token, t.townId, rigId, 'open work');
    const closed = await createBead(t.token, t.townId, rigId, 'done work');
    const elsewhere = await createBead(t.token, t.townId, other, 'other rig work');
    expect((await call('PATCH', `/api/towns/${t.townId}/beads/${closed}`, { token: t.token, body: { status: 'closed' } })).status).toBe(200);

    expect((await call('DELETE', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);

    const failed = await call('GET', `/api/towns/${t.townId}/beads/${open}`, { token: t.token });
    const failedBead = Bead.parse(data<{ bead: unknown }>(failed).bead);
    expect(failedBead.status).toBe('failed');
    expect(failedBead.closed_at).not.toBeNull();
    const activity = data<{ recent_activity: { type: string; data: Record<string, unknown> }[] }>(failed).recent_activity;
    expect(JSON.stringify(activity.filter((e) => e.type === 'status_changed'))).toContain('rig_deleted');
    expect((await beadOf(t.token, t.townId, closed)).status).toBe('closed');
    expect((await beadOf(t.token, t.townId, elsewhere)).status).toBe('open');
  });

  it('removes the rig\'s beads from their convoys and recounts them', async () => {
    const t = await town();
    const rigId = await newRig(t.token, t.townId, 'doomed');
    const other = await newRig(t.token, t.townId, 'safe');
    const batch = await call('POST', `/api/towns/${t.townId}/sling-batch`, {
      token: t.token,
      body: { rig_id: rigId, title: 'Mixed convoy', tasks: [{ title: 'first' }, { title: 'second' }], parallel: true, staged: true, merge_mode: 'review-and-merge' },
    });
    expect(batch.status).toBe(201);
    const convoy = ConvoyDetail.parse(data<{ convoy: unknown }>(batch).convoy);
    const outsider = await createBead(t.token, t.townId, other, 'survivor');
    const add = await call('POST', `/api/towns/${t.townId}/convoys/${convoy.id}/beads`, { token: t.token, body: { bead_id: outsider } });
    expect(add.status).toBe(200);
    expect(ConvoyDetail.parse(data(add)).progress.total).toBe(3);

    expect((await call('DELETE', rigsPath(t.townId, rigId), { token: t.token })).status).toBe(200);

    const after = ConvoyDetail.parse(data(await call('GET', `/api/towns/${t.townId}/convoys/${convoy.id}`, { token: t.token })));
    expect(after.beads.map((b) => b.id)).toEqual([outsider]);
    expect(after.rig_ids).toEqual([other]);
    expect(after.progress).toMatchObject({ total: 1, closed: 0, failed: 0 });
    for (const member of convoy.beads) {
      const bead = await beadOf(t.token, t.townId, member.id);
      expect(bead.status).toBe('failed');
      expect(bead.convoy_id).toBeNull();
    }
    expect((await beadOf(t.token, t.townId, outsider)).convoy_id).toBe(convoy.id);
  });

  it('is a 404 for an unknown rig', async () => {
    const t = await town();
    const r = await call('DELETE', rigsPath(t.townId, crypto.randomUUID()), { token: t.token });
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('not_found');
  });
});
