import {
  createECDH,
  createHmac,
  createDecipheriv,
  createPublicKey,
  randomBytes,
  verify,
} from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Agent, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A push as the local push service received it, checked and decrypted. */
export interface ReceivedPush {
  path: string;
  /** The VAPID key the request was signed with (`k=`), and the JWT's claims. */
  vapidKey: string;
  claims: { aud: string; exp: number; sub: string };
  signatureValid: boolean;
  payload: unknown;
}

/** A browser's subscription: its keys, and what to register with the server. */
export interface FakeSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  decrypt(body: Buffer): Buffer;
}

/**
 * A local stand-in for a browser vendor's push service (HTTPS with a
 * self-signed certificate): records each push, verifies its VAPID signature
 * (RFC 8292) and decrypts its aes128gcm body (RFC 8291) with the
 * subscription's private key, as a browser would.
 */
export class LocalPushService {
  readonly received: ReceivedPush[] = [];
  /** Paths that answer 410 Gone (an unsubscribed browser). */
  readonly gone = new Set<string>();
  readonly agent = new Agent({ rejectUnauthorized: false, keepAlive: false });
  private server: Server | null = null;
  private readonly subscriptions = new Map<string, FakeSubscription>();
  private origin = '';

  async start(): Promise<void> {
    const dir = mkdtempSync(path.join(tmpdir(), 'gridline-push-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
          '-subj',
          '/CN=127.0.0.1',
          '-days',
          '1',
        ],
        { stdio: 'ignore' },
      );
      const key = readFileSync(path.join(dir, 'key.pem'));
      const cert = readFileSync(path.join(dir, 'cert.pem'));
      this.server = createServer({ key, cert }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const pathname = req.url ?? '';
          if (this.gone.has(pathname)) {
            res.writeHead(410).end();
            return;
          }
          this.received.push(
            this.check(pathname, req.headers.authorization ?? '', Buffer.concat(chunks)),
          );
          res.writeHead(201).end();
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
    this.agent.destroy();
  }

  /** A new browser subscription at `/push/<name>`. */
  subscription(name: string): FakeSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const publicKey = ecdh.getPublicKey();
    const subscription: FakeSubscription = {
      endpoint: `${this.origin}/push/${name}`,
      keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
      decrypt: (body) => decryptAes128gcm(body, ecdh, publicKey, auth),
    };
    this.subscriptions.set(`/push/${name}`, subscription);
    return subscription;
  }

  pushesTo(name: string): ReceivedPush[] {
    return this.received.filter((push) => push.path === `/push/${name}`);
  }

  private check(pathname: string, authorization: string, body: Buffer): ReceivedPush {
    const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(authorization);
    const [token = '', vapidKey = ''] = match ? [match[1], match[2]] : [];
    const [header = '', claims = '', signature = ''] = token.split('.');
    const publicKey = Buffer.from(vapidKey, 'base64url');
    const signatureValid = ((): boolean => {
      try {
        return verify(
          'sha256',
          Buffer.from(`${header}.${claims}`),
          {
            key: createPublicKey({
              key: {
                kty: 'EC',
                crv: 'P-256',
                x: publicKey.subarray(1, 33).toString('base64url'),
                y: publicKey.subarray(33, 65).toString('base64url'),
              },
              format: 'jwk',
            }),
            dsaEncoding: 'ieee-p1363',
          },
          Buffer.from(signature, 'base64url'),
        );
      } catch {
        return false;
      }
    })();
    const subscription = this.subscriptions.get(pathname);
    const payload = ((): unknown => {
      try {
        return subscription ? JSON.parse(subscription.decrypt(body).toString('utf8')) : null;
      } catch {
        return null;
      }
    })();
    return {
      path: pathname,
      vapidKey,
      claims: JSON.parse(
        Buffer.from(claims, 'base64url').toString('utf8') || '{}',
      ) as ReceivedPush['claims'],
      signatureValid,
      payload,
    };
  }
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 / RFC 8188: one record of an aes128gcm message, decrypted by the user agent. */
function decryptAes128gcm(
  body: Buffer,
  ecdh: ReturnType<typeof createECDH>,
  uaPublic: Buffer,
  authSecret: Buffer,
): Buffer {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const asPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const shared = ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = hmac(hmac(authSecret, shared), Buffer.concat([keyInfo, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end -= 1;
  // The last record ends with the delimiter 0x02.
  return padded.subarray(0, end);
}
