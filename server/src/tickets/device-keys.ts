import { createHmac, timingSafeEqual } from 'node:crypto';

/** A call button's key is the HMAC of its id: provisioning prints it once, nothing is stored. */
export class DeviceKeys {
  constructor(private readonly secret: string) {}

  keyFor(deviceId: string): string {
    return createHmac('sha256', this.secret).update(deviceId).digest('hex');
  }

  verify(deviceId: string, key: string): boolean {
    const expected = Buffer.from(this.keyFor(deviceId));
    const given = Buffer.from(key);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
