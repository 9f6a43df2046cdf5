/**
 * MailSender over SMTP with nodemailer. The password comes from a file or an
 * environment variable named in the config (never the config itself), read
 * once at start so a missing one is reported then, not at the first email.
 * Timeouts are short: one unreachable server must not hold the queue for the
 * minutes nodemailer would wait by default; the outbox retries instead.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../config/config.ts';
import { WfError } from '../errors.ts';
import type { Mail, MailSender } from './mail.ts';

const CONNECT_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

export function smtpPassword(settings: SmtpSettings, env: NodeJS.ProcessEnv): string | null {
  if (settings.passwordFile !== null) {
    try {
      return readFileSync(settings.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new WfError('WF_ERR_CONFIG_INVALID', `notifications.smtp.passwordFile: cannot read ${settings.passwordFile}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (settings.passwordEnv !== null) {
    const value = env[settings.passwordEnv];
    if (value === undefined || value === '') {
      throw new WfError('WF_ERR_CONFIG_INVALID', `notifications.smtp.passwordEnv: the environment variable ${settings.passwordEnv} is not set`);
    }
    return value;
  }
  return null;
}

/** `onError` gets anything the transport emits outside a send (an unhandled 'error' event would end the process). */
export function createSmtpSender(settings: SmtpSettings, env: NodeJS.ProcessEnv, onError: (error: unknown) => void = () => {}): MailSender {
  const password = smtpPassword(settings, env);
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user === null ? {} : { auth: { user: settings.user, pass: password ?? '' } }),
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  transport.on('error', onError);
  return {
    async send(mail: Mail) {
      await transport.sendMail({ from: settings.from, to: [...mail.to], subject: mail.subject, text: mail.text });
    },
    close() {
      transport.close();
    },
  };
}
