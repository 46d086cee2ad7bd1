/** The sessions file load-tests/k6/intake.js reads (SESSIONS_FILE). Pure. */

export interface K6Session {
  userId: number;
  /** `gl_session=<token>`, ready for a Cookie header. */
  cookie: string;
  grids: Array<{ id: number; lat: number; lng: number }>;
}

export interface K6SessionsFile {
  createdAt: string;
  sessions: K6Session[];
}

/** One entry per user with a token, in the order of `tokens`, with the grids they answer for. */
export function buildK6Sessions(
  members: ReadonlyArray<{ userId: number; gridId: number; lat: number; lng: number }>,
  tokens: ReadonlyMap<number, string>,
  now: Date = new Date(),
): K6SessionsFile {
  const grids = new Map<number, K6Session['grids']>();
  for (const member of members) {
    if (!tokens.has(member.userId)) continue;
    const list = grids.get(member.userId) ?? [];
    list.push({ id: member.gridId, lat: member.lat, lng: member.lng });
    grids.set(member.userId, list);
  }
  const sessions: K6Session[] = [];
  for (const [userId, token] of tokens) {
    const own = grids.get(userId);
    if (own && own.length > 0) sessions.push({ userId, cookie: `gl_session=${token}`, grids: own });
  }
  return { createdAt: now.toISOString(), sessions };
}
