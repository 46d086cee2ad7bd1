import { generateKeyPairSync } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** The application server's key pair for Web Push (RFC 8292), base64url as browsers take it. */
export interface VapidKeys {
  /** The uncompressed P-256 public key (65 bytes). */
  publicKey: string;
  /** The private scalar (32 bytes). */
  privateKey: string;
}

const SETTING = 'vapid-keys';

export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  if (!pub.x || !pub.y || !priv.d) throw new Error('P-256 key export lacks coordinates');
  const raw = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(pub.x, 'base64url'),
    Buffer.from(pub.y, 'base64url'),
  ]);
  return { publicKey: raw.toString('base64url'), privateKey: priv.d };
}

function isVapidKeys(value: unknown): value is VapidKeys {
  const keys = value as Partial<VapidKeys> | null;
  return typeof keys?.publicKey === 'string' && typeof keys.privateKey === 'string';
}

/**
 * The deployment's VAPID keys: from the environment when given
 * (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY), else made once and kept in
 * PostgreSQL, so every process and every restart signs with the same pair
 * and browsers' subscriptions stay valid.
 */
export async function loadVapidKeys(
  prisma: PrismaClient,
  env: Record<string, string | undefined> = process.env,
): Promise<VapidKeys> {
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) {
    return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY };
  }
  const keys = generateVapidKeys();
  // The first process to get here wins; everyone reads what it stored.
  await prisma.appSetting.createMany({
    data: [{ key: SETTING, value: { ...keys } }],
    skipDuplicates: true,
  });
  const stored = await prisma.appSetting.findUniqueOrThrow({ where: { key: SETTING } });
  if (!isVapidKeys(stored.value)) throw new Error(`app setting ${SETTING} is not a key pair`);
  return stored.value;
}
