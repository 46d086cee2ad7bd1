/** Tallies of the accept race: many clients accept one ticket at once, one may win. Pure. */

/** One race: every client's answer and when the winner heard. */
export interface RaceOutcome {
  /** HTTP status per client; 0 when the request failed without an answer (reset, timeout). */
  statuses: readonly number[];
  /** ms from the race's start to the first 200; null without one. */
  winnerMs: number | null;
  /** ms from the race's start to the last answer. */
  doneMs: number;
}

export interface RaceTallyResult {
  races: number;
  requests: number;
  /** Races with exactly one 200. */
  oneWinner: number;
  /** Races with no 200. */
  noWinner: number;
  /** Races with more than one 200: a double accept. */
  manyWinners: number;
  /** Answers other than the winner's 200 that were 409. */
  conflicts: number;
  /** Answers other than 200 and 409 (0 = no answer), by status. */
  otherLosers: number;
  otherStatuses: Record<string, number>;
  /** ms to the winner's 200, per race that had a winner. */
  claimMs: number[];
  /** ms to the last answer, per race. */
  raceMs: number[];
}

/** Races with other than exactly one 200. */
export function badRaces(result: Pick<RaceTallyResult, 'noWinner' | 'manyWinners'>): number {
  return result.noWinner + result.manyWinners;
}

export class RaceTally {
  private readonly tally: RaceTallyResult = {
    races: 0,
    requests: 0,
    oneWinner: 0,
    noWinner: 0,
    manyWinners: 0,
    conflicts: 0,
    otherLosers: 0,
    otherStatuses: {},
    claimMs: [],
    raceMs: [],
  };

  add(outcome: RaceOutcome): void {
    const t = this.tally;
    t.races++;
    t.requests += outcome.statuses.length;
    let winners = 0;
    for (const status of outcome.statuses) {
      if (status === 200) {
        winners++;
      } else if (status === 409) {
        t.conflicts++;
      } else {
        t.otherLosers++;
        const key = status === 0 ? 'no answer' : String(status);
        t.otherStatuses[key] = (t.otherStatuses[key] ?? 0) + 1;
      }
    }
    if (winners === 1) t.oneWinner++;
    else if (winners === 0) t.noWinner++;
    else t.manyWinners++;
    if (winners > 0 && outcome.winnerMs !== null) t.claimMs.push(outcome.winnerMs);
    t.raceMs.push(outcome.doneMs);
  }

  result(): RaceTallyResult {
    return {
      ...this.tally,
      otherStatuses: { ...this.tally.otherStatuses },
      claimMs: [...this.tally.claimMs],
      raceMs: [...this.tally.raceMs],
    };
  }
}

/** "403 x3, no answer x1" from a status tally, most frequent first. */
export function describeStatuses(statuses: Readonly<Record<string, number>>): string {
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([status, count]) => `${status} x${count}`)
    .join(', ');
}
