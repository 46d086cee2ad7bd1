import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What an admin change invalidates in every server process's memory. */
export const ADMIN_CHANGES = ['regions', 'categories', 'sessions'] as const;
export type AdminChange = (typeof ADMIN_CHANGES)[number];

export type ReloadHandlers = Record<AdminChange, () => Promise<void> | void>;

/** How often each process compares the change counters, in case it missed a message. */
const VERSION_CHECK_MS = 15_000;

/**
 * Tells every server process to reload what an admin change made stale: the
 * region directory (spatial index) or the category catalogue. A Redis
 * pub/sub message makes the others reload at once; a counter per change,
 * compared every 15 s, catches a message missed while a subscriber was
 * reconnecting. The process that made the change reloads before answering.
 */
export class AdminChangeBus {
  private readonly origin = randomUUID();
  private readonly seen = new Map<AdminChange, string | null>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly handlers: ReloadHandlers,
    private readonly logger: Logger,
  ) {}

  private get channel(): string {
    return `${this.prefix}:admin:changed`;
  }
  private versionKey(change: AdminChange): string {
    return `${this.prefix}:admin:version:${change}`;
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const parsed = parseMessage(message);
      if (!parsed || parsed.origin === this.origin) return;
      this.seen.set(parsed.change, parsed.version);
      void this.reload(parsed.change);
    });
    await this.subscriber.subscribe(this.channel);
    await this.readVersions(false).catch(() => undefined);
    this.timer = setInterval(() => void this.catchUp().catch(() => undefined), VERSION_CHECK_MS);
    this.timer.unref();
  }

  /** After a committed change: reload here, then tell the other processes. */
  async announce(change: AdminChange): Promise<void> {
    await this.reload(change);
    try {
      const version = String(await this.redis.incr(this.versionKey(change)));
      this.seen.set(change, version);
      await this.redis.publish(
        this.channel,
        JSON.stringify({ change, origin: this.origin, version }),
      );
    } catch (error) {
      this.logger.warn({ err: error, change }, 'could not announce an admin change');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber.disconnect();
  }

  /** Reloads whatever changed since this process last looked (runs every 15 s). */
  catchUp(): Promise<void> {
    return this.readVersions(true);
  }

  private async readVersions(reloadChanged: boolean): Promise<void> {
    for (const change of ADMIN_CHANGES) {
      const version = await this.redis.get(this.versionKey(change));
      const before = this.seen.get(change);
      this.seen.set(change, version);
      if (reloadChanged && before !== version) await this.reload(change);
    }
  }

  private async reload(change: AdminChange): Promise<void> {
    try {
      await this.handlers[change]();
    } catch (error) {
      this.logger.error({ err: error, change }, 'reload after an admin change failed');
    }
  }
}

function parseMessage(
  message: string,
): { change: AdminChange; origin: string; version: string | null } | null {
  try {
    const value = JSON.parse(message) as { change?: unknown; origin?: unknown; version?: unknown };
    const change = ADMIN_CHANGES.find((candidate) => candidate === value.change);
    if (!change || typeof value.origin !== 'string') return null;
    return {
      change,
      origin: value.origin,
      version: typeof value.version === 'string' ? value.version : null,
    };
  } catch {
    return null;
  }
}
