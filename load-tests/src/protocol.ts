/** IPC messages between the benchmark driver and its child processes. */

export interface SwarmSocketSpec {
  cookie: string;
  userId: number;
  /** The member's first socket: the one whose receipts are the latency samples. */
  primary: boolean;
}

export type ToSwarm =
  | {
      type: 'connect';
      url: string;
      sockets: SwarmSocketSpec[];
      concurrency: number;
      timeoutMs: number;
      /** Start the connections evenly over this long (0: as fast as they go). */
      spreadMs: number;
    }
  /** Start of the measured window: reset delivery and drop counters and the event-loop histogram. */
  | { type: 'mark' }
  | { type: 'report' }
  | { type: 'stop' };

export type FromSwarm =
  | { type: 'ready' }
  | { type: 'progress'; connected: number; failed: number }
  | {
      type: 'connected';
      connected: number;
      failed: number;
      errors: string[];
      seconds: number;
      /** Users whose primary socket is connected: the only ones tickets may target. */
      primaryUserIds: number[];
    }
  /** [ticket id, process.hrtime.bigint() at receipt as a decimal string] from primary sockets. */
  | { type: 'receipts'; items: Array<[number, string]> }
  | { type: 'stats'; deliveries: number; dropped: number; loopDelayP99Ms: number | null };

export type FromEchoServer = { type: 'listening'; port: number };
export type ToEchoServer = { type: 'stop' };

export function isMessage<T extends { type: string }>(value: unknown): value is T {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
