/** The driver's side of a swarm process (swarm.ts). */
import { isMessage, type FromSwarm, type SwarmSocketSpec, type ToSwarm } from './protocol.ts';
import { spawnTs, type Child } from './processes.ts';

export interface SwarmConnected {
  connected: number;
  failed: number;
  errors: string[];
  seconds: number;
  primaryUserIds: number[];
}

export interface SwarmStats {
  deliveries: number;
  dropped: number;
  loopDelayP99Ms: number | null;
}

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void };

export class SwarmHandle {
  readonly child: Child;
  private connectedWaiter: Waiter<SwarmConnected> | null = null;
  private statsWaiter: Waiter<SwarmStats> | null = null;
  private readyWaiter: Waiter<void> | null = null;
  private isReady = false;
  progress = { connected: 0, failed: 0 };

  constructor(
    name: string,
    cwd: string,
    file: string,
    private readonly onReceipt: (ticketId: number, atNs: bigint) => void,
  ) {
    this.child = spawnTs(name, file, { cwd, env: { ...process.env }, ipc: true });
    this.child.process.on('message', (message: unknown) => this.handle(message));
    void this.child.exited.then(() => {
      const error = new Error(`${name} exited (${this.child.exitCode()}):\n${this.child.tail()}`);
      this.readyWaiter?.reject(error);
      this.connectedWaiter?.reject(error);
      this.statsWaiter?.reject(error);
    });
  }

  private handle(message: unknown): void {
    if (!isMessage<FromSwarm>(message)) return;
    switch (message.type) {
      case 'ready':
        this.isReady = true;
        this.readyWaiter?.resolve();
        break;
      case 'progress':
        this.progress = { connected: message.connected, failed: message.failed };
        break;
      case 'connected':
        this.progress = { connected: message.connected, failed: message.failed };
        this.connectedWaiter?.resolve(message);
        this.connectedWaiter = null;
        break;
      case 'receipts':
        for (const [ticketId, at] of message.items) this.onReceipt(ticketId, BigInt(at));
        break;
      case 'stats':
        this.statsWaiter?.resolve(message);
        this.statsWaiter = null;
        break;
    }
  }

  private send(message: ToSwarm): void {
    if (this.child.process.connected) this.child.process.send(message);
  }

  ready(timeoutMs: number): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject })),
      timeoutMs,
      `${this.child.name} not ready`,
    );
  }

  connect(
    url: string,
    sockets: SwarmSocketSpec[],
    concurrency: number,
    timeoutMs: number,
    overallMs: number,
    spreadMs = 0,
  ): Promise<SwarmConnected> {
    const done = new Promise<SwarmConnected>(
      (resolve, reject) => (this.connectedWaiter = { resolve, reject }),
    );
    this.send({ type: 'connect', url, sockets, concurrency, timeoutMs, spreadMs });
    return withTimeout(done, overallMs, `${this.child.name} still connecting`);
  }

  mark(): void {
    this.send({ type: 'mark' });
  }

  stats(timeoutMs = 5000): Promise<SwarmStats> {
    const done = new Promise<SwarmStats>(
      (resolve, reject) => (this.statsWaiter = { resolve, reject }),
    );
    this.send({ type: 'report' });
    return withTimeout(done, timeoutMs, `${this.child.name} sent no stats`);
  }

  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    await this.child.stop(5000);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} after ${(ms / 1000).toFixed(0)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
