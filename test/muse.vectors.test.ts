// Replays /work/shared/fixtures/muse/vectors.json byte for byte through the decoders the device
// source uses, routed by characteristic exactly as live notifications are. Every value is
// decoded twice: from a fresh Buffer and from a slice at offset 3 of a larger one (how noble
// delivers values), which is where muse-js's EEG, PPG and control paths go wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeNotification, type MuseNotification } from '../actors/devices/muse/notification.ts';
import { ControlAssembler, controlFragment } from '../actors/devices/muse/controlResponse.ts';
import { encodeCommand } from '../actors/devices/muse/command.ts';
import { SequenceClock } from '../actors/devices/muse/sequenceClock.ts';
import { BlockAssembler } from '../actors/devices/muse/blockAssembler.ts';
import {
  athenaAccGyro, athenaBatteryRaw, athenaEeg, athenaOptics, splitAthenaNotification,
} from '../actors/devices/muse/athenaPacket.ts';

const FIXTURE = new URL('../../shared/fixtures/muse/vectors.json', import.meta.url);
const v = JSON.parse(readFileSync(FIXTURE, 'utf8')) as any;

type Hex = { id: string; characteristic: string; hex: string };
const bytesOf = (hex: string) => Buffer.from(hex, 'hex');
/** The same bytes as a slice at offset 3 of a bigger Buffer padded with 0xEE, as noble hands them over. */
const offsetCopy = (b: Buffer) => Buffer.concat([Buffer.alloc(3, 0xee), b, Buffer.alloc(5, 0xee)]).subarray(3, 3 + b.length);
const bothWays = (c: Hex) => [bytesOf(c.hex), offsetCopy(bytesOf(c.hex))];

function decodeAs<K extends MuseNotification['kind']>(kind: K, c: Hex, bytes: Uint8Array) {
  const n = decodeNotification(c.characteristic, bytes);
  assert.equal(n.kind, kind, `${c.id} routed to ${n.kind}`);
  return n as Extract<MuseNotification, { kind: K }>;
}

const EEG_NAMES = ['TP9', 'AF7', 'AF8', 'TP10', 'AUX'];
const PPG_NAMES = ['ambient', 'infrared', 'red'];

test('fixture is the one described by the protocol reference', () => {
  assert.equal(v.eeg.length, 7);
  assert.equal(v.ppg.length, 6);
  assert.equal(v.accelerometer.length, 5);
  assert.equal(v.gyroscope.length, 5);
  assert.equal(v.telemetry.length, 6);
  assert.equal(v.control.packets.length, 23);
  assert.equal(v.commands.length, 19);
  assert.equal(v.timestamps.length, 3);
});

test('eeg vectors: index, 12-bit raw and µV exact, electrode from the characteristic', () => {
  for (const c of v.eeg) {
    for (const bytes of bothWays(c)) {
      const n = decodeAs('eeg', c, bytes);
      assert.equal(n.electrode, c.electrode, c.id);
      assert.equal(n.name, EEG_NAMES[c.electrode]);
      assert.equal(n.packet.index, c.expected.index, c.id);
      assert.deepEqual(n.packet.raw, c.expected.raw12, c.id);
      assert.deepEqual(n.packet.microvolts, c.expected.microvolts, c.id);
    }
  }
});

test('ppg vectors: index and unsigned 24-bit samples exact', () => {
  for (const c of v.ppg) {
    for (const bytes of bothWays(c)) {
      const n = decodeAs('ppg', c, bytes);
      assert.equal(n.channel, c.ppgChannel, c.id);
      assert.equal(n.name, PPG_NAMES[c.ppgChannel]);
      assert.equal(n.packet.index, c.expected.index, c.id);
      assert.deepEqual(n.packet.raw, c.expected.raw24, c.id);
    }
  }
  const high = v.ppg.find((c: Hex) => c.id === 'ppg-high-bit-unsigned');
  const n = decodeAs('ppg', high, bytesOf(high.hex));
  assert.ok(n.packet.raw.every((x) => x >= 0), 'bit 23 is not a sign bit');
});

test('accelerometer and gyroscope vectors: sequence, int16 and scaled axes', () => {
  for (const [section, sensor] of [['accelerometer', 'accel'], ['gyroscope', 'gyro']] as const) {
    for (const c of v[section]) {
      for (const bytes of bothWays(c)) {
        const n = decodeAs('imu', c, bytes);
        assert.equal(n.sensor, sensor, c.id);
        assert.equal(n.packet.index, c.expected.sequenceId, c.id);
        assert.deepEqual(n.packet.raw, c.rawInt16PerSpec.samples, c.id);
        const expected = c.expected.samples.map((s: { x: number; y: number; z: number }) => [s.x, s.y, s.z]);
        assert.deepEqual(n.packet.samples, expected, c.id); // same constants → bit-identical
      }
    }
  }
});

test('telemetry vectors: battery %, fuel gauge mV, ADC and temperature', () => {
  for (const c of v.telemetry) {
    for (const bytes of bothWays(c)) {
      const n = decodeAs('telemetry', c, bytes);
      assert.equal(n.packet.index, c.expected.sequenceId, c.id);
      assert.equal(n.packet.batteryPct, c.expected.batteryLevel, c.id);
      assert.equal(n.packet.fuelGaugeMv, c.expected.fuelGaugeVoltage, c.id);
      assert.equal(n.packet.temperatureRaw, c.expected.temperature, c.id);
      assert.equal(n.packet.adcRaw, c.rawFieldsPerSpec.adcRaw, c.id);
    }
  }
});

test('control vectors: fragments exact, stale trailing bytes ignored', () => {
  for (const c of v.control.packets) {
    for (const bytes of bothWays(c)) {
      const n = decodeAs('control', c, bytes);
      assert.equal(n.fragment, c.expected.fragment, c.id);
    }
  }
  assert.ok(v.control.packets.some((c: { staleTrailingBytes: boolean }) => c.staleTrailingBytes));
});

test('control stream: 23 notifications assemble into exactly the five expected replies', () => {
  for (const copy of [false, true]) {
    const dropped: string[] = [];
    const assembler = new ControlAssembler((text) => dropped.push(text));
    const replies = v.control.stream.packetIds.flatMap((id: string) => {
      const c = v.control.packets.find((p: Hex) => p.id === id);
      const bytes = copy ? offsetCopy(bytesOf(c.hex)) : bytesOf(c.hex);
      return assembler.push(decodeAs('control', c, bytes).fragment);
    });
    assert.deepEqual(replies, v.control.stream.expectedResponses);
    assert.deepEqual(dropped, []);
  }
  const firstWithFw = v.control.stream.expectedResponses.find((r: object) => 'fw' in r);
  assert.deepEqual(firstWithFw, v.control.deviceInfoCall.expectedResult);
  assert.equal(Buffer.from(encodeCommand('v1')).toString('hex'), v.control.deviceInfoCall.bytesWritten[0]);
});

test('control assembly survives garbage before an object and invalid JSON', () => {
  const dropped: string[] = [];
  const a = new ControlAssembler((text) => dropped.push(text));
  assert.deepEqual(a.push('c":0}{"rc"'), [], 'tail of an object begun before we listened is skipped');
  assert.deepEqual(a.push(':0}{"hn":"a}b",'), [{ rc: 0 }]);
  assert.deepEqual(a.push('"x":{"y":1}}'), [{ hn: 'a}b', x: { y: 1 } }], 'braces in strings and nesting');
  assert.deepEqual(a.push('{"bad":}{"rc":1}'), [{ rc: 1 }], 'a broken object is dropped, the next one still parses');
  assert.deepEqual(dropped, ['{"bad":}']);
  assert.deepEqual(a.push(`{"fw":"${'x'.repeat(5000)}`), [], 'an object that never closes is given up on');
  assert.equal(dropped.length, 2);
  assert.deepEqual(a.push('{"rc":0}'), [{ rc: 0 }], 'and the next reply still parses');
  assert.equal(controlFragment(Uint8Array.of(0xff, 0x7b, 0x7d)), '{}', 'a length byte past the end is clamped');
});

test('commands encode to the recorded bytes; the length byte follows the text', () => {
  for (const c of v.commands) {
    assert.equal(Buffer.from(encodeCommand(c.command)).toString('hex'), c.hex, c.command);
  }
  assert.throws(() => encodeCommand(''), RangeError);
  assert.throws(() => encodeCommand('p 21'), RangeError);
  assert.throws(() => encodeCommand('x'.repeat(19)), RangeError, 'must fit one 20-byte write');
});

/** Per-stream clocks, as the device source keeps them. */
function stampScenario(scenario: { fixedClockMs: number; notifications: Array<Hex & { step: number }> }) {
  const clocks = new Map<string, SequenceClock>();
  return [...scenario.notifications].sort((a, b) => a.step - b.step).map((n) => {
    const decoded = decodeNotification(n.characteristic, bytesOf(n.hex));
    assert.ok(decoded.kind === 'eeg' || decoded.kind === 'ppg');
    const clock = clocks.get(decoded.kind) ?? new SequenceClock(decoded.kind === 'eeg' ? 46.875 : 93.75, () => scenario.fixedClockMs);
    clocks.set(decoded.kind, clock);
    return { decoded, index: decoded.packet.index, stamp: clock.stamp(decoded.packet.index) };
  });
}

test('timestamps: wraparound, a lost index and a late packet reproduce muse-js exactly', () => {
  for (const scenario of v.timestamps.filter((s: { replicate: boolean }) => s.replicate)) {
    const stamped = stampScenario(scenario);
    scenario.notifications.forEach((n: { step: number; expected: { index: number; timestampMs: number; raw24?: number[] } }, i: number) => {
      const s = stamped[i]!;
      assert.equal(s.index, n.expected.index, `${scenario.id} step ${n.step}`);
      assert.equal(s.stamp.t0Ms, n.expected.timestampMs, `${scenario.id} step ${n.step}`);
      if (n.expected.raw24 && s.decoded.kind === 'ppg') assert.deepEqual(s.decoded.packet.raw, n.expected.raw24);
    });
  }
  const eeg = stampScenario(v.timestamps[0]);
  assert.deepEqual(eeg.map((s) => s.stamp.index), [65534, 65534, 65534, 65534, 65535, 65535, 65535, 65535,
    65536, 65536, 65536, 65536, 65537, 65537, 65537, 65537, 65539, 65538], 'indices unwrap past 0xFFFF');
});

test('timestamps: the shared EEG/PPG anchor of muse-js is not reproduced', () => {
  const quirk = v.timestamps.find((s: { id: string }) => s.id === 'quirk-shared-eeg-ppg-anchor');
  assert.equal(quirk.replicate, false);
  const [eeg, ppg] = stampScenario(quirk);
  assert.equal(eeg!.stamp.t0Ms, quirk.notifications[0].expected.timestampMs, 'EEG anchors as muse-js does');
  assert.equal(ppg!.stamp.t0Ms, quirk.fixedClockMs - 93.75, 'PPG anchors on its own clock');
  assert.notEqual(ppg!.stamp.t0Ms, quirk.notifications[1].expected.timestampMs, 'not 382.5 s in the past');
});

test('multi-channel assembly gives the aligned samples and times of muse-js zipSamples', () => {
  const scenario = v.timestamps[0];
  const assembler = new BlockAssembler(4, 12, 22);
  const chunks = stampScenario(scenario).flatMap(({ decoded, stamp }) => {
    assert.equal(decoded.kind, 'eeg');
    return decoded.kind === 'eeg' ? assembler.push(decoded.electrode, stamp.index, stamp.t0Ms, decoded.packet.microvolts) : [];
  });
  // Indices 0xFFFE..0x0001 are complete, one chunk each (one per push that completed a block);
  // index 2 (lost on three electrodes) and 3 (still open) stay pending.
  assert.deepEqual(chunks.map((c) => c.index), [65534, 65535, 65536, 65537]);
  const complete = scenario.zipSamples.expected.filter((s: { data: Array<number | null> }) => s.data.slice(0, 4).every((x) => x !== null));
  assert.equal(complete.length, 48);
  complete.forEach((s: { data: number[]; timestamp: number }, i: number) => {
    const chunk = chunks[Math.floor(i / 12)]!;
    const at = i % 12;
    assert.deepEqual(chunk.channels.map((ch) => ch[at]), s.data.slice(0, 4), `sample ${i}`);
    assert.equal(chunk.t0Ms + (at * 1000) / 256, s.timestamp, `time of sample ${i}`);
  });
});

test('the offset slices expose the whole-buffer bug of the public decoder', () => {
  // What muse-js does for EEG, PPG and control: read the packet from the start of the underlying
  // ArrayBuffer. Fine for a fresh buffer, wrong for noble's slices; ours reads the slice.
  const wholeBuffer = (b: Uint8Array) => new Uint8Array(b.buffer);
  const eegCase = v.eeg.find((c: Hex) => c.id === 'eeg-upstream-spec-bytes');
  const slice = offsetCopy(bytesOf(eegCase.hex));
  const buggy = decodeAs('eeg', eegCase, wholeBuffer(slice).subarray(0, 20));
  assert.notDeepEqual(buggy.packet.raw, eegCase.expected.raw12, 'the bug shows on this input');
  assert.deepEqual(decodeAs('eeg', eegCase, slice).packet.raw, eegCase.expected.raw12);

  const ppgCase = v.ppg.find((c: Hex) => c.id === 'ppg-upstream-spec-bytes');
  const ppgSlice = offsetCopy(bytesOf(ppgCase.hex));
  assert.notDeepEqual(decodeAs('ppg', ppgCase, wholeBuffer(ppgSlice).subarray(0, 20)).packet.raw, ppgCase.expected.raw24);
  assert.deepEqual(decodeAs('ppg', ppgCase, ppgSlice).packet.raw, ppgCase.expected.raw24);

  const controlCase = v.control.packets[0];
  const controlSlice = offsetCopy(bytesOf(controlCase.hex));
  assert.notEqual(controlFragment(wholeBuffer(controlSlice)), controlCase.expected.fragment);
  assert.equal(controlFragment(controlSlice), controlCase.expected.fragment);
});

test('packets of the wrong length and unknown characteristics are ignored, not guessed at', () => {
  const eeg = v.eeg[0];
  assert.equal(decodeNotification(eeg.characteristic, bytesOf(eeg.hex).subarray(0, 19)).kind, 'ignored');
  assert.equal(decodeNotification('273e0008-4c4d-454d-96be-f03bac821358', bytesOf(eeg.hex)).kind, 'ignored');
});

test('athena vectors: framing, 14-bit EEG, 20-bit optics, ACC+GYRO and battery', () => {
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  for (const c of v.athena.vectors) {
    for (const bytes of [bytesOf(c.hex), offsetCopy(bytesOf(c.hex))]) {
      const packets = splitAthenaNotification(bytes);
      assert.equal(packets.length, c.expected.length, c.id);
      packets.forEach((p, i) => {
        const e = c.expected[i];
        assert.equal(p.length, e.packetLength, c.id);
        assert.equal(p.index, e.packetIndex, c.id);
        assert.equal(p.primaryTag, Number(e.primaryTag), c.id);
        assert.equal(p.blocks.length, e.blocks.length, c.id);
        p.blocks.forEach((b, j) => {
          const eb = e.blocks[j];
          assert.equal(b.tag, Number(eb.tag), c.id);
          assert.equal(b.packageNum, eb.packageNum, c.id);
          assert.equal(Buffer.from(b.payload).toString('hex'), eb.payloadHex, c.id);
          if (eb.sensor === 'eeg') {
            const d = athenaEeg(b)!;
            assert.deepEqual(d.raw, eb.raw14ByChannel, c.id);
            d.microvolts.flat().forEach((x, k) => assert.ok(near(x, eb.microvoltsByChannel.flat()[k]), `${c.id} µV ${k}`));
          } else if (eb.sensor === 'optics') {
            assert.deepEqual(athenaOptics(b), eb.raw20ByChannel, c.id);
          } else if (eb.sensor === 'acc_gyro') {
            const d = athenaAccGyro(b)!;
            assert.deepEqual(d.raw, eb.rawInt16BySample, c.id);
            d.accelG.flat().forEach((x, k) => assert.ok(near(x, eb.accelerationG.flat()[k]), `${c.id} g ${k}`));
            d.gyroDps.flat().forEach((x, k) => assert.ok(near(x, eb.gyroDegPerS.flat()[k]), `${c.id} dps ${k}`));
          } else if (eb.sensor === 'battery') {
            assert.equal(athenaBatteryRaw(b), eb.batteryRawU16LE, c.id);
          } else {
            assert.fail(`unexpected sensor ${eb.sensor}`);
          }
        });
      });
    }
  }
});
