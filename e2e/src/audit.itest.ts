import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, waitFor, type Session, type TestSystem } from './support/system.ts';

interface Entry {
  actorId: number;
  action: string;
  entity: string;
  entityId: string | null;
  details: { ids?: number[]; before?: { active: boolean }; after?: { active: boolean } };
}

describe('care recipients and admin changes are audited', () => {
  let system: TestSystem;
  let community: Session;
  let admin: Session;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    community = await system.login('community');
    admin = await system.login('admin');
  });
  afterAll(() => system?.close());

  const auditOf = async (query: string) =>
    (await admin.get<{ entries: Entry[] }>(`/api/admin/audit?${query}`)).body.entries;

  it('lets community staff read their households, and records every read', async () => {
    const list = await community.get<{
      careRecipients: Array<{ id: number; communityId: number }>;
    }>('/api/care-recipients');
    expect(list.status).toBe(200);
    const ids = list.body.careRecipients.map((row) => row.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(
      list.body.careRecipients.every((row) => row.communityId === community.user.regionId),
    ).toBe(true);
    const one = await community.get(`/api/care-recipients/${ids[0]}`);
    expect(one.status).toBe(200);

    const entries = await auditOf('entity=care_recipient');
    expect(
      entries
        .filter((entry) => entry.actorId === community.user.id)
        .map((e) => [e.action, e.entityId]),
    ).toEqual([
      ['read', String(ids[0])],
      ['read', null],
    ]);
    expect(entries.find((entry) => entry.entityId === null)?.details.ids).toEqual(ids);
  });

  it('refuses other roles and other communities', async () => {
    const elsewhere = await system.server.prisma.careRecipient.findFirstOrThrow({
      where: { communityId: { not: community.user.regionId! } },
    });
    expect((await community.get(`/api/care-recipients/${elsewhere.id}`)).status).toBe(403);
    expect(
      (await community.get(`/api/care-recipients?communityId=${elsewhere.communityId}`)).status,
    ).toBe(403);
    for (const username of ['dispatcher', 'member', 'volunteer']) {
      const session = await system.login(username);
      expect((await session.get('/api/care-recipients')).status, username).toBe(403);
    }
    expect((await fetch(`${system.baseUrl}/api/care-recipients`)).status).toBe(401);
    expect((await community.get('/api/care-recipients/999999')).status).toBe(404);
  });

  it('audits an admin change with the values before and after, and a deactivated user loses their sessions', async () => {
    const member = await system.login('member');
    const socket = await member.socket();
    const patch = (as: Session, body: unknown) =>
      fetch(`${system.baseUrl}/api/admin/users/${member.user.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: as.cookie },
        body: JSON.stringify(body),
      });
    expect((await patch(community, { active: false })).status).toBe(403);
    expect((await patch(admin, {})).status).toBe(400);
    expect((await patch(admin, { password: 'x' })).status).toBe(400);
    expect((await patch(admin, { regionId: 999_999 })).status).toBe(422);
    const changed = await patch(admin, { active: false });
    expect(changed.status).toBe(200);
    await waitFor(() => socket.disconnected, 5000, 'the socket to close');
    expect((await member.get('/api/me')).status).toBe(401);
    const [entry] = await auditOf(`entity=user&entityId=${member.user.id}`);
    expect(entry).toMatchObject({
      actorId: admin.user.id,
      action: 'update',
      details: { before: { active: true }, after: { active: false } },
    });
    expect(
      (
        await fetch(`${system.baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'member', password: 'demo1234' }),
        })
      ).status,
    ).toBe(401);
  });
});
