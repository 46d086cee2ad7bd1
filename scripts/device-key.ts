/** `npm run device:key -- <device id>`: the key a call button sends as X-Device-Key. */
import { DeviceKeys, loadConfig } from '@gridline/server';

const deviceId = process.argv[2];
if (!deviceId) {
  console.error('Usage: npm run device:key -- <device id>');
  process.exit(2);
}
console.log(new DeviceKeys(loadConfig().deviceSecret).keyFor(deviceId));
