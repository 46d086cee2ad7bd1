export { createPrismaClient, databaseUrl, DEFAULT_DATABASE_URL } from './client.ts';
export type { PrismaOptions } from './client.ts';
export { PrismaClient, Prisma } from './generated/prisma/client.ts';
export * from './generated/prisma/enums.ts';
export type * from './generated/prisma/models.ts';
