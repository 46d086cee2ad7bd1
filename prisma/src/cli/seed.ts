import { createPrismaClient, databaseUrl } from '../client.ts';
import { runCli } from '../migrations/cli.ts';
import { connect, redact } from '../migrations/postgres.ts';
import { isSeeded, seedDemoCity } from '../seed/seed-demo-city.ts';

runCli(async () => {
  const url = databaseUrl();
  // Fails with one clear line when PostgreSQL does not answer.
  await (await connect(url)).end();
  const prisma = createPrismaClient({ url });
  try {
    if (await isSeeded(prisma)) {
      console.log(`${redact(url)} already has the demo city; nothing to do.`);
      return;
    }
    const summary = await seedDemoCity(prisma, { log: (line) => console.log(`  ${line}`) });
    console.log(
      `Seeded the Anshan demo city into ${redact(url)} in ${(summary.milliseconds / 1000).toFixed(1)} s:\n` +
        `  ${summary.regions.districts} districts, ${summary.regions.streets} streets, ` +
        `${summary.regions.communities} communities, ${summary.regions.grids} grids\n` +
        `  ${summary.users} users (${summary.gridMembers} grid members, ${summary.communityStaff} community staff, ` +
        `${summary.dispatchers} dispatchers, ${summary.volunteers} volunteers), ` +
        `${summary.categories} categories, ${summary.careRecipients} care recipients`,
    );
  } finally {
    await prisma.$disconnect();
  }
});
