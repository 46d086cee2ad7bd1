import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { PushMessage } from '@gridline/core';
import type { VapidKeys } from '@gridline/db';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What became of one push: sent, gone (the browser unsubscribed: forget it), or failed. */
export type PushOutcome = 'sent' | 'gone' | 'failed';

export interface PushSender {
  send(target: PushTarget, message: PushMessage): Promise<PushOutcome>;
}

/** Web Push through the `web-push` library: VAPID-signed, aes128gcm-encrypted. */
export class WebPushSender implements PushSender {
  constructor(
    private readonly keys: VapidKeys,
    private readonly subject: string,
    /** Tests reach a local push service with a self-signed certificate through this. */
    private readonly agent?: Agent,
  ) {}

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    try {
      await webpush.sendNotification(
        { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
        JSON.stringify(message),
        {
          vapidDetails: {
            subject: this.subject,
            publicKey: this.keys.publicKey,
            privateKey: this.keys.privateKey,
          },
          TTL: 24 * 3600,
          timeout: 10_000,
          contentEncoding: 'aes128gcm',
          ...(this.agent ? { agent: this.agent } : {}),
        },
      );
      return 'sent';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      return status === 404 || status === 410 ? 'gone' : 'failed';
    }
  }
}
