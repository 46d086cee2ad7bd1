import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

import { DEFAULTS } from '@gridline/core';

export const DEFAULT_DATABASE_URL = DEFAULTS.databaseUrl;

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export interface PrismaOptions {
  url?: string;
  /** Pool size of the pg driver. */
  max?: number;
}

export function createPrismaClient(options: PrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url ?? databaseUrl(),
    max: options.max ?? 10,
  });
  return new PrismaClient({ adapter });
}
