/**
 * Pairs each ticket's send time with the time its assignee's socket received
 * `ticket.assigned`, whichever arrives first: the socket often hears of the
 * ticket before the HTTP response that tells the driver its id. Times are
 * process.hrtime.bigint() readings, which share CLOCK_MONOTONIC across
 * processes on one Linux machine, so the swarm's receipts compare with the
 * driver's send times. Pure.
 */
export interface MatchResults {
  /** Latency in ms of every measured ticket that was both sent and received. */
  latenciesMs: number[];
  /** The same latencies by when each ticket was sent, ms after the first measured send. */
  timeline: Array<{ sentMs: number; latencyMs: number }>;
  /** process.hrtime.bigint() of the first measured send (0n when none). */
  firstSentNs: bigint;
  /** Measured tickets whose response arrived but no receipt did. */
  missing: number;
  /** Receipts for ids the driver never learnt of (failed responses, earlier runs). */
  unknownReceipts: number;
}

interface Sent {
  sentNs: bigint;
  measured: boolean;
}

export class IntakeMatcher {
  private readonly sent = new Map<number, Sent>();
  private readonly received = new Map<number, bigint>();
  private readonly maxEntries: number;

  constructor(maxEntries = 1_000_000) {
    this.maxEntries = maxEntries;
  }

  /** The driver learnt the ticket's id; `sentNs` is when it started sending the POST. */
  markSent(ticketId: number, sentNs: bigint, measured = true): void {
    if (this.sent.size >= this.maxEntries) return;
    this.sent.set(ticketId, { sentNs, measured });
  }

  /** A socket received `ticket.assigned` for the ticket; only the earliest receipt counts. */
  markReceived(ticketId: number, atNs: bigint): void {
    const earlier = this.received.get(ticketId);
    if (earlier !== undefined && earlier <= atNs) return;
    if (earlier === undefined && this.received.size >= this.maxEntries) return;
    this.received.set(ticketId, atNs);
  }

  /** How many measured tickets have both ends. */
  matchedCount(): number {
    let count = 0;
    for (const [id, sent] of this.sent) if (sent.measured && this.received.has(id)) count++;
    return count;
  }

  /** How many measured tickets have been sent (their ids known). */
  measuredCount(): number {
    let count = 0;
    for (const sent of this.sent.values()) if (sent.measured) count++;
    return count;
  }

  results(): MatchResults {
    const latenciesMs: number[] = [];
    const timeline: Array<{ sentNs: bigint; latencyMs: number }> = [];
    let missing = 0;
    for (const [id, sent] of this.sent) {
      if (!sent.measured) continue;
      const at = this.received.get(id);
      if (at === undefined) {
        missing++;
        continue;
      }
      const latencyMs = Number(at - sent.sentNs) / 1e6;
      latenciesMs.push(latencyMs);
      timeline.push({ sentNs: sent.sentNs, latencyMs });
    }
    timeline.sort((a, b) => (a.sentNs < b.sentNs ? -1 : a.sentNs > b.sentNs ? 1 : 0));
    const firstNs = timeline[0]?.sentNs ?? 0n;
    let unknownReceipts = 0;
    for (const id of this.received.keys()) if (!this.sent.has(id)) unknownReceipts++;
    return {
      latenciesMs,
      timeline: timeline.map(({ sentNs, latencyMs }) => ({
        sentMs: Number(sentNs - firstNs) / 1e6,
        latencyMs,
      })),
      firstSentNs: firstNs,
      missing,
      unknownReceipts,
    };
  }
}

/**
 * Open-model schedule: request k (0-based) is due `k / rate` seconds after the
 * start. How many requests are due `elapsedNs` after the start, at most `total`.
 */
export function dueCount(elapsedNs: bigint, ratePerSecond: number, total: number): number {
  if (elapsedNs < 0n || total <= 0) return 0;
  // The epsilon absorbs float rounding, so that dueCount(dueAtNs(k)) always includes request k.
  const due = Math.floor((Number(elapsedNs) / 1e9) * ratePerSecond + 1e-9) + 1;
  return Math.min(total, due);
}

/** Nanoseconds after the start at which request k is due. */
export function dueAtNs(k: number, ratePerSecond: number): bigint {
  return BigInt(Math.ceil((k / ratePerSecond) * 1e9));
}
