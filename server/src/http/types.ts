import type { RegionLevel, UserDto } from '@gridline/core';
import type { Logger } from 'pino';

export interface AuthContext {
  user: UserDto;
  sessionId: string;
  /** Level of the user's home region, when they have one. */
  regionLevel: RegionLevel | null;
}

declare global {
  // Express merges its Request type through this namespace.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      log: Logger;
      auth?: AuthContext;
    }
  }
}
