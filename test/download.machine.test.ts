// The download statechart with scripted transfer and verify actors and xstate's simulated
// clock: queue, pause and resume, retries with 1, 2, 4, 8 s backoff then giving up, a dropped
// connection that moved bytes starting a fresh run of attempts, the validator each attempt resumes
// against, verification (against a digest asked for or stated by the source), cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { downloadMachine, downloadStateOf, type DownloadEvent, type DownloadInput, type TransferInput, type VerifyInput } from '../machines/download.ts';

type Send = (e: DownloadEvent) => void;

function start(opts: { transfer?: (send: Send, n: number, input: TransferInput) => void; verify?: (send: Send, input: VerifyInput) => void; input?: Partial<DownloadInput> } = {}) {
  const clock = new SimulatedClock();
  let transfers = 0;
  let stoppedTransfers = 0;
  let discarded = 0;
  let send: Send = () => undefined;
  const machine = downloadMachine.provide({
    actors: {
      transfer: fromCallback<DownloadEvent, TransferInput>(({ sendBack, input }) => {
        transfers++;
        send = sendBack;
        opts.transfer?.(sendBack, transfers, input);
        return () => void stoppedTransfers++;
      }),
      verify: fromCallback<DownloadEvent, VerifyInput>(({ sendBack, input }) => {
        send = sendBack;
        opts.verify?.(sendBack, input);
      }),
    },
    actions: { discardPartial: () => void discarded++ },
  });
  const actor = createActor(machine, {
    clock,
    input: { id: 'a', url: 'http://127.0.0.1:1/f', dest: '/tmp/f', sha256: null, size: null, kind: 'test', ...opts.input },
  }).start();
  const advance = (ms: number) => {
    for (let left = ms; left > 0; left -= 100) clock.increment(Math.min(100, left));
  };
  return {
    actor,
    advance,
    send: (e: DownloadEvent) => send(e),
    state: () => downloadStateOf(actor.getSnapshot().value),
    ctx: () => actor.getSnapshot().context,
    transfers: () => transfers,
    stoppedTransfers: () => stoppedTransfers,
    discarded: () => discarded,
  };
}

/** Each test's bound (they run on a simulated clock, in milliseconds of real time). */
const timeout = 10_000;

const networkDown = (send: Send) => send({ type: 'transfer.failed', reason: 'connection refused', retryable: true });

test('a download waits in the queue until it is given a slot, then transfers, verifies and is done', { timeout }, () => {
  const m = start({ verify: (send) => send({ type: 'verify.done', sha256: 'abc', bytes: 10 }) });
  assert.equal(m.state(), 'queued');
  assert.equal(m.transfers(), 0);
  m.actor.send({ type: 'download.run' });
  assert.equal(m.state(), 'downloading');
  m.send({ type: 'transfer.started', from: 0, total: 10, validator: null, announcedSha256: null });
  m.send({ type: 'transfer.progress', received: 5, total: 10 });
  assert.equal(m.ctx().received, 5);
  assert.equal(m.ctx().total, 10);
  m.send({ type: 'transfer.finished', received: 10, total: 10, sha256: 'abc' });
  assert.equal(m.state(), 'done');
  assert.equal(m.ctx().digest, 'abc');
  assert.equal(m.actor.getSnapshot().status, 'done');
});

test('the verify step gets the digest computed during the transfer and the expected one', { timeout }, () => {
  let seen: VerifyInput | null = null;
  const m = start({ verify: (_s, input) => (seen = input), input: { sha256: 'ABCD', size: 4 } });
  m.actor.send({ type: 'download.run' });
  m.send({ type: 'transfer.finished', received: 4, total: 4, sha256: 'abcd' });
  assert.equal(m.state(), 'verifying');
  assert.deepEqual(seen, { dest: '/tmp/f', sha256: 'abcd', size: 4, digest: 'abcd', received: 4 });
  m.send({ type: 'verify.failed', reason: 'sha256 mismatch' });
  assert.equal(m.state(), 'failed');
  assert.equal(m.ctx().error, 'sha256 mismatch');
  assert.equal(m.ctx().statusMsg, 'sha256 mismatch');
});

test('retries wait 1, 2, 4 and 8 s, then the fifth failure gives up', { timeout }, () => {
  const m = start({ transfer: networkDown });
  m.actor.send({ type: 'download.run' });
  assert.equal(m.transfers(), 1);
  const waits = [1_000, 2_000, 4_000, 8_000];
  for (const [i, wait] of waits.entries()) {
    assert.equal(m.state(), 'waiting', `after attempt ${i + 1}`);
    assert.equal(m.ctx().attempt, i + 1);
    assert.equal(m.ctx().retryInMs, wait);
    m.advance(wait - 100);
    assert.equal(m.transfers(), i + 1, `no attempt before ${wait} ms`);
    m.advance(100);
    assert.equal(m.transfers(), i + 2, `attempt ${i + 2} after ${wait} ms`);
  }
  assert.equal(m.state(), 'failed');
  assert.equal(m.ctx().attempt, 5);
  assert.match(m.ctx().error!, /connection refused \(gave up after 5 attempts\)/);
  m.advance(60_000);
  assert.equal(m.transfers(), 5);
});

test('a failure that is not retryable (404, disk full) fails at once', { timeout }, () => {
  const m = start({ transfer: (send) => send({ type: 'transfer.failed', reason: 'HTTP 404 Not Found', retryable: false }) });
  m.actor.send({ type: 'download.run' });
  assert.equal(m.state(), 'failed');
  assert.equal(m.ctx().error, 'HTTP 404 Not Found');
  assert.equal(m.transfers(), 1);
});

test('a dropped connection after bytes arrived starts a fresh run of attempts', { timeout }, () => {
  let received = 0;
  const m = start({
    transfer: (send) => {
      send({ type: 'transfer.started', from: received, total: 100, validator: null, announcedSha256: null });
      received += 10;
      send({ type: 'transfer.progress', received, total: 100 });
      send({ type: 'transfer.failed', reason: 'connection reset', retryable: true });
    },
  });
  m.actor.send({ type: 'download.run' });
  // Every attempt moves 10 bytes, so it is always "the first failure"; 9 drops and it is still going.
  for (let i = 0; i < 8; i++) {
    assert.equal(m.state(), 'waiting');
    assert.equal(m.ctx().attempt, 1);
    m.advance(1_000);
  }
  assert.equal(m.transfers(), 9);
  assert.equal(m.ctx().received, 90);
});

test('pause stops the transfer and keeps the file; resume queues it again with a fresh attempt budget', { timeout }, () => {
  const m = start();
  m.actor.send({ type: 'download.run' });
  m.send({ type: 'transfer.started', from: 0, total: 100, validator: null, announcedSha256: null });
  m.send({ type: 'transfer.progress', received: 40, total: 100 });
  m.actor.send({ type: 'download.pause' });
  assert.equal(m.state(), 'paused');
  assert.equal(m.stoppedTransfers(), 1);
  assert.equal(m.discarded(), 0);
  assert.equal(m.ctx().received, 40);
  assert.match(m.ctx().statusMsg, /Paused/);
  m.actor.send({ type: 'download.resume' });
  assert.equal(m.state(), 'queued');
  m.actor.send({ type: 'download.run' });
  assert.equal(m.state(), 'downloading');
  assert.equal(m.transfers(), 2);
});

test('pause while waiting to retry cancels the countdown', { timeout }, () => {
  const m = start({ transfer: networkDown });
  m.actor.send({ type: 'download.run' });
  assert.equal(m.state(), 'waiting');
  m.actor.send({ type: 'download.pause' });
  assert.equal(m.state(), 'paused');
  assert.equal(m.ctx().retryInMs, null);
  m.advance(30_000);
  assert.equal(m.transfers(), 1);
  m.actor.send({ type: 'download.resume' });
  m.actor.send({ type: 'download.run' });
  assert.equal(m.transfers(), 2);
  assert.equal(m.ctx().attempt, 1, 'the resumed attempt failed again: the first of a fresh budget');
});

test('cancel deletes the partial file, from any unfinished state', { timeout }, () => {
  for (const setup of [
    (_m: ReturnType<typeof start>) => undefined,
    (m: ReturnType<typeof start>) => m.actor.send({ type: 'download.run' }),
    (m: ReturnType<typeof start>) => m.actor.send({ type: 'download.pause' }),
  ]) {
    const m = start();
    setup(m);
    m.actor.send({ type: 'download.cancel' });
    assert.equal(m.state(), 'cancelled');
    assert.equal(m.discarded(), 1);
    assert.equal(m.ctx().received, 0);
  }
  const done = start({ verify: (send) => send({ type: 'verify.done', sha256: 'x', bytes: 1 }) });
  done.actor.send({ type: 'download.run' });
  done.send({ type: 'transfer.finished', received: 1, total: 1, sha256: 'x' });
  done.actor.send({ type: 'download.cancel' });
  assert.equal(done.state(), 'done', 'a finished download is not undone');
  assert.equal(done.discarded(), 0);
});

test('each attempt gets the validator of the bytes on disk; a transfer that restarts replaces it, cancel forgets it', { timeout }, () => {
  const inputs: TransferInput[] = [];
  let sendTransfer: Send | null = null;
  const m = start({ input: { validator: '"stored"' }, transfer: (send, _n, input) => ((sendTransfer = send), inputs.push(input)) });
  m.actor.send({ type: 'download.run' });
  assert.equal(inputs[0]!.validator, '"stored"', 'restored from the queue file');
  sendTransfer!({ type: 'transfer.started', from: 100, total: 1000, validator: '"stored"', announcedSha256: null });
  assert.equal(m.ctx().validator, '"stored"');
  // The file changed: the server sent it whole, under a new validator.
  sendTransfer!({ type: 'transfer.started', from: 0, total: 2000, validator: '"new"', announcedSha256: null });
  assert.equal(m.ctx().validator, '"new"');
  sendTransfer!({ type: 'transfer.failed', reason: 'connection reset', retryable: true });
  m.advance(2_000);
  assert.equal(m.transfers(), 2);
  assert.equal(inputs[1]!.validator, '"new"', 'the retry resumes against the new version');
  m.actor.send({ type: 'download.cancel' });
  assert.equal(m.ctx().validator, null);
});

test('a download without a digest is verified against the one its source stated, kept while bytes are resumed', { timeout }, () => {
  let seen: VerifyInput | null = null;
  const stated = 'ab'.repeat(32);
  const m = start({ verify: (_s, input) => (seen = input), input: { sha256: null } });
  m.actor.send({ type: 'download.run' });
  m.send({ type: 'transfer.started', from: 0, total: 100, validator: null, announcedSha256: stated });
  // A resumed attempt whose hop states nothing keeps it; a restart from byte 0 does not.
  m.send({ type: 'transfer.started', from: 50, total: 100, validator: null, announcedSha256: null });
  assert.equal(m.ctx().announcedSha256, stated);
  m.send({ type: 'transfer.finished', received: 100, total: 100, sha256: 'cd'.repeat(32) });
  assert.equal(seen!.sha256, stated);
  const restarted = start({ input: { sha256: null, announcedSha256: stated } });
  restarted.actor.send({ type: 'download.run' });
  restarted.send({ type: 'transfer.started', from: 0, total: 100, validator: null, announcedSha256: null });
  assert.equal(restarted.ctx().announcedSha256, null);
  const asked = start({ verify: (_s, input) => (seen = input), input: { sha256: 'ef'.repeat(32) } });
  asked.actor.send({ type: 'download.run' });
  asked.send({ type: 'transfer.started', from: 0, total: 1, validator: null, announcedSha256: stated });
  asked.send({ type: 'transfer.finished', received: 1, total: 1, sha256: 'x' });
  assert.equal(seen!.sha256, 'ef'.repeat(32), 'a digest asked for wins over a stated one');
});

test('a download restored as paused starts paused and remembers its bytes', { timeout }, () => {
  const m = start({ input: { paused: true, received: 1234 } });
  assert.equal(m.state(), 'paused');
  assert.equal(m.ctx().received, 1234);
  m.actor.send({ type: 'download.run' });
  assert.equal(m.state(), 'paused', 'a paused download ignores a slot');
});
