// Writes the volunteer app's icons (web/static/icons/volunteer-{192,512}.png):
// a white heart on the brand blue, full bleed so that the same image serves as
// a maskable icon (the heart stays inside the central safe zone).
// Run: node web/scripts/volunteer-icons.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const BLUE = [0x0f, 0x4c, 0x81];
const WHITE = [0xff, 0xff, 0xff];
const SAMPLES = 4;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Inside the heart curve (x² + y² − 1)³ − x²y³ ≤ 0, in a square of side `scale` centred on the icon. */
function inHeart(u, v) {
  const scale = 0.62;
  const x = (u - 0.5) / (scale / 2.6);
  const y = -(v - 0.53) / (scale / 2.6);
  const a = x * x + y * y - 1;
  return a * a * a - x * x * y * y * y <= 0;
}

function icon(size) {
  const rows = [];
  for (let py = 0; py < size; py++) {
    rows.push(0); // filter: none
    for (let px = 0; px < size; px++) {
      let inside = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const u = (px + (sx + 0.5) / SAMPLES) / size;
          const v = (py + (sy + 0.5) / SAMPLES) / size;
          if (inHeart(u, v)) inside++;
        }
      }
      const share = inside / (SAMPLES * SAMPLES);
      for (let channel = 0; channel < 3; channel++) {
        rows.push(Math.round(BLUE[channel] * (1 - share) + WHITE[channel] * share));
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'static', 'icons');
for (const size of [192, 512]) {
  writeFileSync(path.join(out, `volunteer-${size}.png`), icon(size));
}
