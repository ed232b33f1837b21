import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  /** SMTP envelope recipients (RCPT TO). */
  rcptTo: string[];
  /** The authenticated user, when the client logged in. */
  user: string | null;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port> (with credentials when the server was given some). */
  url: string;
  received: ReceivedMail[];
  /** Makes the next `n` messages fail with a 451 (temporary) reply. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (port 0) that parses what arrives with mailparser. The server's
 * 250 comes after parsing, so a resolved sendMail means the message is already in `received`.
 * STARTTLS is off (no certificate on loopback); with `auth` a login is required.
 */
export async function startSmtpServer(auth?: { user: string; pass: string }): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: !auth,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.pass) {
        callback(null, { user: login.username });
      } else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (failures > 0) {
            failures -= 1;
            const error = new Error('Mailbox temporarily unavailable') as Error & { responseCode: number };
            error.responseCode = 451;
            callback(error);
            return;
          }
          received.push({
            mail,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : null,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    received,
    failNext(n) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
