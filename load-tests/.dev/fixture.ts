// TEMPORARY dev fixture (to be deleted): seeds a look-alike demo city until prisma/src/seed exists.
import pg from 'pg';
import type { PrismaClient } from '@gridline/db';
import { hash } from '@node-rs/argon2';
import { generateDemoCity } from '../../prisma/src/demo-city/generate.ts';
import { loadAnshanData } from '../../prisma/src/demo-city/anshan-data.ts';

const URL_ENV = () => process.env.FIXTURE_URL!;

export async function isSeeded(_prisma: PrismaClient): Promise<boolean> {
  const client = new pg.Client({ connectionString: URL_ENV() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM regions`);
    return Number(rows[0]!.n) > 0;
  } finally {
    await client.end();
  }
}

export async function seedDemoCity(_prisma: PrismaClient): Promise<void> {
  const city = generateDemoCity(loadAnshanData());
  const client = new pg.Client({ connectionString: URL_ENV() });
  await client.connect();
  try {
    await client.query('BEGIN');
    const ids = new Map<string, number>();
    for (const level of [[city.city], city.districts, city.streets, city.communities, city.grids]) {
      for (const r of level) {
        const { rows } = await client.query<{ id: number }>(
          `INSERT INTO regions (code, name, name_en, level, parent_id, boundary, centroid_lat, centroid_lng, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8, now()) RETURNING id`,
          [
            r.code,
            r.name,
            r.nameEn,
            r.level,
            r.parentCode ? ids.get(r.parentCode) : null,
            JSON.stringify(r.boundary),
            r.centroid.lat,
            r.centroid.lng,
          ],
        );
        ids.set(r.code, rows[0]!.id);
      }
    }
    const p = {
      acceptMinutes: 30,
      resolveMinutes: 1440,
      reminders: [0.5, 0.8],
      escalationAcceptMinutes: [30, 60, 120],
    };
    await client.query(
      `INSERT INTO categories (code, name_zh, name_en, department, default_priority, policy, updated_at)
       VALUES ('NOISE','噪音','Noise','环保','NORMAL',$1, now())`,
      [JSON.stringify({ LOW: p, NORMAL: p, HIGH: p, URGENT: p })],
    );
    const pw = await hash('demo1234');
    await client.query(
      `INSERT INTO users (username, display_name, role, region_id, password_hash, on_duty, updated_at)
       VALUES ('dispatcher','调度员','DISPATCHER',$1,$2,true,now())`,
      [ids.get(city.city.code), pw],
    );
    for (const g of city.grids) {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO users (username, display_name, role, region_id, password_hash, on_duty, updated_at)
         VALUES ($1,$2,'GRID_MEMBER',$3,$4,true,now()) RETURNING id`,
        [`gm-${g.code}`, `网格员 ${g.code}`, ids.get(g.code), pw],
      );
      await client.query(
        `INSERT INTO grid_assignments (grid_id, member_id, updated_at) VALUES ($1,$2,now())`,
        [ids.get(g.code), rows[0]!.id],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  } finally {
    await client.end();
  }
}
