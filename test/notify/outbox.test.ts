/** The outbox on its own, with a scripted sender: order, retries with back-off, giving up, the bound, stop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Mail, MailSender } from '../../src/notify/mail.ts';
import { createOutbox } from '../../src/notify/outbox.ts';
import { createLogSink } from '../helpers/log-sink.ts';
import { createAppLogger } from '../../src/log/loggers.ts';

function mail(grant: string): Mail {
  return { to: ['x@council.example'], subject: 's', text: 't', about: { kind: 'request', grant, recipients: ['staff:x'] } };
}

/** A sender that fails the first `failures` sends of each grant, recording every attempt. */
function scriptedSender(failures: number) {
  const attempts: string[] = [];
  const delivered: string[] = [];
  let closed = false;
  const sender: MailSender = {
    async send(m) {
      attempts.push(m.about.grant);
      if (attempts.filter((g) => g === m.about.grant).length <= failures) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' });
      delivered.push(m.about.grant);
    },
    close() {
      closed = true;
    },
  };
  return { sender, attempts, delivered, closed: () => closed };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('sends in order; a failure is retried with a doubling delay and then delivered', async () => {
  const sink = createLogSink();
  const s = scriptedSender(2);
  const outbox = createOutbox({ sender: s.sender, log: createAppLogger('info', sink.stream), maxAttempts: 5, retryDelayMs: 20 });
  outbox.enqueue(mail('g_1'));
  await until(() => s.delivered.includes('g_1'));
  assert.deepEqual(s.attempts, ['g_1', 'g_1', 'g_1']);
  const retries = sink.lines.filter((l) => l.msg === 'notification could not be sent; will retry');
  assert.deepEqual(retries.map((l) => l.retryInMs), [20, 40]);
  assert.equal(outbox.pending(), 0);
  await outbox.stop();
  assert.equal(s.closed(), true);
});

test('gives up after maxAttempts with an error line', async () => {
  const sink = createLogSink();
  const s = scriptedSender(Infinity);
  const outbox = createOutbox({ sender: s.sender, log: createAppLogger('info', sink.stream), maxAttempts: 3, retryDelayMs: 5 });
  outbox.enqueue(mail('g_2'));
  await sink.waitFor((l) => l.msg === 'notification not sent: gave up after 3 attempts');
  assert.equal(s.attempts.length, 3);
  assert.equal(outbox.pending(), 0);
  await outbox.stop();
});

test('the queue is bounded: the oldest waiting email is dropped and logged; stop reports what was not sent', async () => {
  const sink = createLogSink();
  const s = scriptedSender(Infinity);
  const outbox = createOutbox({ sender: s.sender, log: createAppLogger('info', sink.stream), maxAttempts: 100, retryDelayMs: 60_000, maxQueued: 3 });
  for (const g of ['g_a', 'g_b', 'g_c', 'g_d', 'g_e']) outbox.enqueue(mail(g));
  assert.equal(outbox.pending(), 3);
  const dropped = sink.lines.filter((l) => l.msg === 'notification dropped: too many waiting to be sent').map((l) => (l.notification as { grant: string }).grant);
  assert.deepEqual(dropped, ['g_a', 'g_b']);
  await outbox.stop();
  const notSent = await sink.waitFor((l) => typeof l.msg === 'string' && l.msg.endsWith('not sent: wardgate stopped'));
  assert.equal(notSent.msg, '3 notification(s) not sent: wardgate stopped');
  outbox.enqueue(mail('g_f'));
  assert.equal(outbox.pending(), 0, 'a stopped outbox takes nothing');
});
