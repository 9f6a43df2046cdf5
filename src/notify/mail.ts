/**
 * An email as the notifier builds it, and the one thing it needs from a mail
 * system: send it or fail. The SMTP implementation is smtp-sender.ts;
 * tests may hand in any other.
 */

export interface Mail {
  /** Addresses, already checked (src/directory/email.ts). */
  readonly to: readonly string[];
  readonly subject: string;
  /** Plain text only. */
  readonly text: string;
  /** For the application log, never the addresses: what it is about and who it is for. */
  readonly about: { readonly kind: 'request' | 'approve' | 'decline' | 'revoke'; readonly grant: string; readonly recipients: readonly string[] };
}

export interface MailSender {
  /** Resolves once the server accepted the message; rejects with the reason otherwise. */
  send(mail: Mail): Promise<void>;
  close(): void;
}
