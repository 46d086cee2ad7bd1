import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LoggingSmsGateway } from './sms-gateway.ts';

describe('the logging SMS gateway', () => {
  it('writes the message to the log with the phone masked to its last four digits', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    await new LoggingSmsGateway(pino(sink)).send('139 1234 5678', '【网格通】工单已受理。');
    const [line] = lines.map((text) => JSON.parse(text) as { sms: { to: string; text: string } });
    expect(line?.sms).toEqual({ to: '***5678', text: '【网格通】工单已受理。' });
    expect(lines.join('')).not.toContain('1391234');
  });
});
