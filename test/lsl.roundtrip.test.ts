// Outlet → resolve → inlet over 127.0.0.1 in loopback mode (SKILL_NETWORK=loopback: nothing is
// bound, joined or sent beyond loopback), then the device source on top, and recovery when the
// outlet dies mid-stream and comes back (or does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { DeviceConnection, EegFrame, SourceFrame } from '../actors/devices/source.ts';
import { lslLocalClock } from '../actors/devices/lsl/clock.ts';
import type { LslSample } from '../actors/devices/lsl/feedReader.ts';
import { LslInlet } from '../actors/devices/lsl/inlet.ts';
import { discoverStreams, lslSource } from '../actors/devices/lsl/lslSource.ts';
import { LslOutlet, type LslOutletOptions } from '../actors/devices/lsl/outlet.ts';
import { equalsTerm } from '../actors/devices/lsl/predicate.ts';
import { resolveStreams } from '../actors/devices/lsl/resolver.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
// Our outlets live in their own LSL session, so other programs on this host (a daemon's virtual
// headset, another test) neither see them in a default-session resolve nor show up in ours.
const SESSION = `skill-test-${process.pid}`;

async function startOutlet(options: Partial<LslOutletOptions> & { name: string }): Promise<LslOutlet> {
  const outlet = new LslOutlet({
    type: 'EEG',
    channelCount: 4,
    nominalSrate: 256,
    channelFormat: 'float32',
    sourceId: `${options.name}-src`,
    network: 'loopback',
    sessionId: SESSION,
    ...options,
  });
  await outlet.start();
  return outlet;
}

/** Pushes chunks of `perChunk` samples every 16 ms; value of channel c of sample n is n + c/4. */
function pump(outlet: LslOutlet, perChunk = 4, start = 0) {
  let n = start;
  const timer = setInterval(() => {
    const rows = Array.from({ length: perChunk }, () => {
      const row = Array.from({ length: outlet.info.channelCount }, (_, c) => n + c / 4);
      n++;
      return row;
    });
    outlet.push(rows);
  }, 16);
  return { stop: () => clearInterval(timer), get next() { return n; } };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('resolve finds outlets by name, type/source_id and or-predicates, on 127.0.0.1', async () => {
  const eegName = unique('RtEEG');
  const markerName = unique('RtMarkers');
  const eeg = await startOutlet({ name: eegName });
  const markers = await startOutlet({ name: markerName, type: 'Markers', channelCount: 1, nominalSrate: 0, channelFormat: 'string' });
  try {
    const started = Date.now();
    const [found, ...rest] = await resolveStreams({ predicate: equalsTerm('name', eegName), timeoutMs: 3000, minimum: 1, network: 'loopback', sessionId: SESSION });
    assert.ok(Date.now() - started < 1500, 'found in the first wave, not at the timeout');
    assert.equal(rest.length, 0);
    assert.equal(found?.uid, eeg.info.uid);
    assert.equal(found?.v4address, '127.0.0.1', 'address taken from the reply datagram');
    assert.equal(found?.v4dataPort, eeg.info.v4dataPort);

    const byType = await resolveStreams({ predicate: `type='EEG' and source_id='${eegName}-src'`, timeoutMs: 2000, minimum: 1, network: 'loopback', sessionId: SESSION });
    assert.deepEqual(byType.map((s) => s.uid), [eeg.info.uid]);

    // Two outlets share 16571, where a unicast query reaches only one; the port-range probe finds both.
    const both = await resolveStreams({ predicate: `name='${eegName}' or name='${markerName}'`, timeoutMs: 600, network: 'loopback', sessionId: SESSION });
    assert.deepEqual(both.map((s) => s.uid).sort(), [eeg.info.uid, markers.info.uid].sort());

    const discovered = await discoverStreams({ timeoutMs: 600, network: 'loopback', sessionId: SESSION });
    const entry = discovered.find((d) => d.name === markerName);
    assert.deepEqual(entry, { name: markerName, stream_type: 'Markers', channels: 1, sample_rate: 0, source_id: `${markerName}-src`, hostname: markers.info.hostname });

    assert.deepEqual(await resolveStreams({ predicate: equalsTerm('name', unique('absent')), timeoutMs: 300, network: 'loopback', sessionId: SESSION }), []);
    assert.deepEqual(await resolveStreams({ predicate: equalsTerm('name', eegName), timeoutMs: 300, network: 'loopback' }), [], 'other sessions are not found');
  } finally {
    await Promise.all([eeg.close(), markers.close()]);
  }
  // The default session (liblsl's `session_id='default'`), with a type no EEG resolver takes.
  const plain = await startOutlet({ name: unique('RtDefault'), type: 'TestSignal', sessionId: 'default' });
  try {
    const found = await resolveStreams({ predicate: equalsTerm('name', plain.info.name), timeoutMs: 2000, minimum: 1, network: 'loopback' });
    assert.deepEqual(found.map((s) => s.sessionId), ['default']);
  } finally {
    await plain.close();
  }
});

test('inlet round trip: values and timestamps (explicit and deduced) match what was pushed', async () => {
  for (const channelFormat of ['float32', 'double64', 'int16', 'int64', 'string'] as const) {
    const outlet = await startOutlet({ name: unique(`Rt-${channelFormat}`), channelFormat, channelCount: 3, nominalSrate: channelFormat === 'string' ? 0 : 100 });
    const received: LslSample[] = [];
    const [info] = await resolveStreams({ predicate: equalsTerm('name', outlet.info.name), timeoutMs: 2000, minimum: 1, network: 'loopback', sessionId: SESSION });
    const inlet = await LslInlet.open(info!, { samples: (s) => received.push(...s), ended: () => undefined }, { network: 'loopback' });
    try {
      await waitFor(() => outlet.consumerCount === 1, 1000, 'the feed to register');
      const t = lslLocalClock();
      const rows = [[1, -2, 3], [4, -5, 6], [7, -8, 9]];
      const value = (v: number) => (channelFormat === 'string' ? `m${v}` : channelFormat === 'int64' ? BigInt(v) : channelFormat === 'int16' ? v : v + 0.5);
      outlet.push(rows.map((r) => r.map(value)) as never, t);
      outlet.push([rows[0]!.map(value)] as never, [t + 5]);
      await waitFor(() => received.length === 4, 2000, `${channelFormat} samples`);
      assert.deepEqual(received.map((s) => s.values), [...rows, rows[0]!].map((r) => r.map(value)), channelFormat);
      assert.deepEqual(received.map((s) => s.tag), [2, 1, 1, 2]);
      const step = outlet.info.nominalSrate > 0 ? 1 / outlet.info.nominalSrate : 0;
      [t - 2 * step, t - step, t, t + 5].forEach((expected, i) => {
        assert.ok(Math.abs(received[i]!.timestamp - expected) < 1e-9, `${channelFormat} timestamp ${i}`);
      });
    } finally {
      await inlet.close();
      await outlet.close();
    }
  }
});

test('device source lsl:<name>: info, channel labels padded with Ch<n>, frames in µV at unix time', async () => {
  const name = unique('SrcEEG');
  const outlet = await startOutlet({ name, channelCount: 8, channelLabels: ['Fp1', 'Fp2', 'C3', 'C4', 'O1', 'O2'] });
  const pumping = pump(outlet, 8);
  const frames: EegFrame[] = [];
  const ended: string[] = [];
  const source = lslSource({ target: `lsl:${name}`, network: 'loopback', sessionId: SESSION });
  const connection = await source.open(
    { frame: (f: SourceFrame) => f.kind === 'eeg' && frames.push(f), ended: (r) => ended.push(r) },
    new AbortController().signal,
  );
  try {
    assert.deepEqual(connection.info.channelNames, ['Fp1', 'Fp2', 'C3', 'C4', 'O1', 'O2', 'Ch7', 'Ch8']);
    assert.equal(connection.info.kind, 'lsl');
    assert.equal(connection.info.id, `${name}-src`);
    assert.equal(connection.info.name, name);
    assert.equal(connection.info.eegSampleRateHz, 256);
    assert.equal(connection.info.hardwareVersion, `EEG · 8ch · 256 Hz @ ${outlet.info.hostname}`);
    await waitFor(() => frames.reduce((n, f) => n + (f.channels[0]?.length ?? 0), 0) >= 64, 3000, '64 samples of frames');
    for (const frame of frames) {
      assert.equal(frame.channels.length, 8);
      assert.equal(frame.sampleRateHz, 256);
      const first = frame.channels[0]![0]!;
      assert.equal(frame.channels[4]![0], first + 1, 'channel c carries n + c/4');
      // Pushed at "now" on the same host: t0Ms lands at the wall clock of the push.
      assert.ok(Math.abs(frame.t0Ms - Date.now()) < 1000, 't0Ms is unix time');
    }
    const all = frames.flatMap((f) => [...f.channels[0]!]);
    all.slice(1).forEach((v, i) => assert.equal(v, all[i]! + 1, 'no sample lost or repeated'));
    assert.deepEqual(ended, []);
  } finally {
    pumping.stop();
    await connection.close();
    await outlet.close();
  }
});

test('bare lsl takes an EEG/ExG/biosignal stream, never markers; units become µV', async () => {
  const markers = await startOutlet({ name: unique('BareMarkers'), type: 'Markers', channelCount: 1, nominalSrate: 0, channelFormat: 'string' });
  const exg = await startOutlet({ name: unique('BareExG'), type: 'ExG', channelCount: 2, channelLabels: ['A1', 'A2'], channelUnit: 'volts' });
  const frames: EegFrame[] = [];
  let connection: DeviceConnection | null = null;
  try {
    connection = await lslSource({ target: 'lsl', network: 'loopback', sessionId: SESSION }).open(
      { frame: (f) => f.kind === 'eeg' && frames.push(f), ended: () => undefined },
      new AbortController().signal,
    );
    assert.equal(connection.info.name, exg.info.name);
    assert.equal(connection.info.hardwareVersion, `ExG · 2ch · 256 Hz @ ${exg.info.hostname}`);
    await waitFor(() => exg.consumerCount === 1, 1000, 'the feed');
    exg.push([[0.000001, -0.00005]]);
    await waitFor(() => frames.length > 0, 2000, 'a frame');
    assert.ok(Math.abs(frames[0]!.channels[0]![0]! - 1) < 1e-4 && Math.abs(frames[0]!.channels[1]![0]! + 50) < 1e-3, 'volts → µV');
  } finally {
    await connection?.close();
    await Promise.all([markers.close(), exg.close()]);
  }
  await assert.rejects(
    lslSource({ target: `lsl:${unique('nowhere')}`, network: 'loopback', resolveTimeoutMs: 300 }).open({ frame: () => undefined, ended: () => undefined }, new AbortController().signal),
    /No LSL stream named ".*" found within 0.3 s/,
  );
  const abort = new AbortController();
  const started = Date.now();
  setTimeout(() => abort.abort(new Error('cancelled')), 100);
  await assert.rejects(lslSource({ target: 'lsl:never', network: 'loopback', sessionId: SESSION }).open({ frame: () => undefined, ended: () => undefined }, abort.signal), /cancelled/);
  assert.ok(Date.now() - started < 1000, 'abort stops the resolve');
});

test('the outlet dies mid-stream and restarts: the source recovers; dies for good: ended', async () => {
  const name = unique('Phoenix');
  let outlet = await startOutlet({ name, channelCount: 2 });
  let pumping = pump(outlet, 4);
  const frames: EegFrame[] = [];
  const ended: string[] = [];
  const connection = await lslSource({ target: `lsl:${name}`, network: 'loopback', idleTimeoutMs: 2500, sessionId: SESSION }).open(
    { frame: (f) => f.kind === 'eeg' && frames.push(f), ended: (reason) => ended.push(reason) },
    new AbortController().signal,
  );
  const received = () => frames.flatMap((f) => [...f.channels[0]!]);
  try {
    await waitFor(() => received().length >= 32, 2000, 'first samples');
    const oldUid = outlet.info.uid;
    pumping.stop();
    await outlet.close(); // FIN, as when a liblsl outlet is destroyed or its process is killed
    const restartedAt = Date.now();
    outlet = await startOutlet({ name, channelCount: 2 });
    assert.notEqual(outlet.info.uid, oldUid, 'a restarted outlet is a new uid with the same source_id');
    pumping = pump(outlet, 4, 100_000);
    await waitFor(() => received().some((v) => v >= 100_000), 3000, 'samples from the restarted outlet');
    const recoveryMs = Date.now() - restartedAt;
    assert.ok(recoveryMs < 2500, `recovered in ${recoveryMs} ms`);
    assert.deepEqual(ended, [], 'recovery is not an end');

    pumping.stop();
    await outlet.close();
    const lostAt = Date.now();
    await waitFor(() => ended.length === 1, 5000, 'ended');
    assert.match(ended[0]!, /not found again within 2500 ms/);
    assert.ok(Date.now() - lostAt >= 2400, 'recovery is tried for idleTimeoutMs');
  } finally {
    pumping.stop();
    await connection.close();
    await outlet.close();
  }
});

test('a frozen connection to a live outlet is replaced; a stream without source_id just ends', async () => {
  const outlet = await startOutlet({ name: unique('Frozen'), channelCount: 2 });
  const pumping = pump(outlet, 2);
  // A proxy between inlet and outlet that stops forwarding without closing (a dead NAT entry).
  let frozen = false;
  const proxy = net.createServer((client) => {
    const upstream = net.connect({ port: outlet.info.v4dataPort, host: '127.0.0.1' });
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => (frozen ? undefined : client.write(d)));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const viaProxy = { ...outlet.info, v4address: '127.0.0.1', v4dataPort: (proxy.address() as net.AddressInfo).port };
  const values: number[] = [];
  const ended: string[] = [];
  const inlet = await LslInlet.open(viaProxy, { samples: (s) => values.push(...s.map((x) => Number(x.values[0]))), ended: (r) => ended.push(r) }, { network: 'loopback', stallTimeoutMs: 300 });
  try {
    await waitFor(() => values.length > 20, 2000, 'samples through the proxy');
    frozen = true;
    const frozenAt = values.length;
    await waitFor(() => values.length > frozenAt + 20, 3000, 'samples after the watchdog reconnected');
    assert.equal(inlet.info.v4dataPort, outlet.info.v4dataPort, 'reconnected straight to the outlet');
    assert.deepEqual(ended, []);
  } finally {
    pumping.stop();
    await inlet.close();
    proxy.close();
  }

  const anonymous = await startOutlet({ name: unique('NoSource'), sourceId: '', channelCount: 2 });
  const lost: string[] = [];
  const gone = await LslInlet.open({ ...anonymous.info, v4address: '127.0.0.1' }, { samples: () => undefined, ended: (r) => lost.push(r) }, { network: 'loopback' });
  await anonymous.close();
  await waitFor(() => lost.length === 1, 2000, 'ended without recovery');
  assert.match(lost[0]!, /lost: the outlet closed the stream/);
  await gone.close();
  await outlet.close();
});
