import type { Logger } from 'pino';

/** Where text messages go. A real provider is one class implementing this. */
export interface SmsGateway {
  send(phone: string, text: string): Promise<void>;
}

/** Writes each message to the log instead of sending it (the default: no provider configured). */
export class LoggingSmsGateway implements SmsGateway {
  constructor(private readonly logger: Logger) {}

  send(phone: string, text: string): Promise<void> {
    this.logger.info({ sms: { to: maskForLog(phone), text } }, 'sms (logged, not sent)');
    return Promise.resolve();
  }
}

/** Logs keep the last four digits only. */
function maskForLog(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `***${digits.slice(-4)}`;
}
