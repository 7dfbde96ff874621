// EDF+ export checked by readers that share no code with the writer: scripts/edf-check.py (the
// EDF+ spec in the standard library, always run) and MNE's `read_raw_edf` when a Python with MNE
// is on the machine. Values are compared with the fixture's own samples, within one step of the
// 16-bit quantisation the header declares.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { boundText, physicalRange, toDigital, DIGITAL_MAX, DIGITAL_MIN } from '../actors/history/export/edfFields.ts';
import { edfChunks, EmptySessionError, planEdfExport } from '../actors/history/export/edfExport.ts';
import { timekeepingTal } from '../actors/history/export/edfHeader.ts';
import { ROOT } from './helpers/daemonProcess.ts';
import { writeSession, type WrittenSession } from './helpers/sessionFixture.ts';

const CHECKER = path.join(ROOT, 'scripts', 'edf-check.py');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'history-edf-'));

async function exportEdf(s: WrittenSession, sampleRateHz: number | null): Promise<{ file: string; bytes: Buffer; planBytes: number }> {
  const plan = await planEdfExport(s.csvPath, { sampleRateHz, deviceName: 'Muse S 42' });
  const parts: Buffer[] = [];
  for await (const chunk of edfChunks(plan)) parts.push(chunk);
  const bytes = Buffer.concat(parts);
  const file = path.join(path.dirname(s.csvPath), `${s.stem}.edf`);
  fs.writeFileSync(file, bytes);
  return { file, bytes, planBytes: plan.totalBytes };
}

interface Checked {
  startdate: string;
  starttime: string;
  reserved: string;
  recording: string;
  n_records: number;
  record_duration: number;
  onsets: number[];
  signals: Array<{ label: string; dimension: string; pmin: number; pmax: number; dmin: number; dmax: number; spr: number }>;
  values: Record<string, number[]>;
}

function check(file: string): Checked {
  return JSON.parse(execFileSync('python3', [CHECKER, file, '--values'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
}

/** What a sample should read back as: missing values are written as 0 µV, everything clipped to the range. */
const expected = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isNaN(v) ? 0 : v));

test('EDF+: header, record count, time-keeping and every value match the CSV (independent reader)', async () => {
  const data = tmp();
  const s = writeSession(data, { start: 1_700_000_000.25, samples: 256 * 10 + 100, missingEvery: 50, partialLastLine: true });
  const { file, bytes, planBytes } = await exportEdf(s, 256);
  assert.equal(bytes.length, planBytes, 'the size promised in content-length is the size written');
  const edf = check(file);

  assert.equal(edf.reserved, 'EDF+C');
  assert.equal(edf.startdate, '14.11.23');
  assert.equal(edf.starttime, '22.13.20');
  assert.match(edf.recording, /^Startdate 14-NOV-2023 X X Muse_S_42 exg_1700000000$/);
  assert.equal(edf.record_duration, 1);
  assert.equal(edf.n_records, Math.ceil((256 * 10 + 100) / 256));
  assert.deepEqual(edf.onsets, Array.from({ length: edf.n_records }, (_, k) => 0.25 + k), 'sub-second start carried by the TALs');
  assert.deepEqual(edf.signals.map((x) => x.label), [...s.channels.map((c) => `EEG ${c}`), 'EDF Annotations']);

  s.channels.forEach((name, c) => {
    const sig = edf.signals[c]!;
    assert.equal(sig.dimension, 'uV');
    assert.equal(sig.spr, 256);
    assert.deepEqual([sig.dmin, sig.dmax], [-32767, 32767]);
    const finite = s.values[c]!.filter((v) => !Number.isNaN(v));
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    assert.ok(sig.pmin <= lo && sig.pmax >= hi, `${name}: range ${sig.pmin}..${sig.pmax} holds ${lo}..${hi}`);
    assert.ok(sig.pmax - sig.pmin < hi - lo + 0.01, `${name}: range is the data's, not a fixed one`);
    const step = (sig.pmax - sig.pmin) / (sig.dmax - sig.dmin);
    const got = edf.values[`EEG ${name}`]!;
    assert.equal(got.length, edf.n_records * 256);
    for (let i = 0; i < got.length; i++) {
      const want = i < s.values[c]!.length ? expected(s.values[c]![i]!, sig.pmin, sig.pmax) : expected(0, sig.pmin, sig.pmax);
      assert.ok(Math.abs(got[i]! - want) <= step, `${name}[${i}]: ${got[i]} vs ${want} (step ${step})`);
    }
  });
});

test('EDF+: without a sidecar rate, the rate comes from the CSV timestamps', async () => {
  const s = writeSession(tmp(), { start: 1_700_000_100, rateHz: 250, samples: 250 * 4, sidecar: 'none', channels: ['Fp1', 'Fp2'] });
  const edf = check((await exportEdf(s, null)).file);
  assert.equal(edf.signals[0]!.spr, 250);
  assert.equal(edf.n_records, 4);
  assert.deepEqual(edf.onsets, [0, 1, 2, 3]);
});

test('EDF+: large amplitudes still fit the 8-character fields, rounded outward', async () => {
  const s = writeSession(tmp(), { start: 1_700_000_200, samples: 512, amplitude: 123_456.789, channels: ['A'] });
  const edf = check((await exportEdf(s, 256)).file);
  const sig = edf.signals[0]!;
  const lo = Math.min(...s.values[0]!);
  const hi = Math.max(...s.values[0]!);
  assert.ok(sig.pmin <= lo && sig.pmax >= hi);
  const step = (sig.pmax - sig.pmin) / 65534;
  edf.values['EEG A']!.slice(0, 512).forEach((v, i) => assert.ok(Math.abs(v - s.values[0]![i]!) <= step));
});

test('EDF+: a session without samples is refused', async () => {
  const s = writeSession(tmp(), { start: 1_700_000_300, samples: 0, sidecar: 'none', partialLastLine: true });
  await assert.rejects(planEdfExport(s.csvPath, { sampleRateHz: 256, deviceName: null }), EmptySessionError);
});

test('EDF fields: outward rounding to 8 characters, flat and empty channels, clipping', () => {
  assert.equal(boundText(-123.4567, 'down'), '-123.457');
  assert.equal(boundText(-123.4561, 'down'), '-123.457');
  assert.equal(boundText(123.4561, 'up'), '123.4561');
  assert.equal(boundText(12345.67891, 'up'), '12345.68');
  assert.equal(boundText(-0.00001, 'up'), '0.0000');
  assert.equal(boundText(1e12, 'up'), '99999999');
  assert.equal(boundText(-1e12, 'down'), '-9999999');
  for (const v of [-98765.4321, 0.1, 77.00005, -3.33333]) {
    assert.ok(Number(boundText(v, 'down')) <= v && boundText(v, 'down').length <= 8);
    assert.ok(Number(boundText(v, 'up')) >= v && boundText(v, 'up').length <= 8);
  }
  assert.deepEqual([physicalRange(5, 5).min, physicalRange(5, 5).max], [4, 6]);
  assert.deepEqual([physicalRange(Infinity, -Infinity).min, physicalRange(Infinity, -Infinity).max], [-1, 1]);
  const r = physicalRange(-100, 100);
  assert.equal(toDigital(-100, r), DIGITAL_MIN);
  assert.equal(toDigital(100, r), DIGITAL_MAX);
  assert.equal(toDigital(1000, r), DIGITAL_MAX);
  assert.equal(toDigital(0, r), 0);
  assert.equal(timekeepingTal(0), '+0\x14\x14\x00');
  assert.equal(timekeepingTal(3_250_000), '+3.25\x14\x14\x00');
  assert.equal(timekeepingTal(1_000_001), '+1.000001\x14\x14\x00');
});

/** A Python that can import MNE, if any. */
function pythonWithMne(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import mne'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

const mnePython = pythonWithMne();

test('EDF+: MNE reads the export (mne.io.read_raw_edf)', { skip: mnePython ? false : 'MNE is not installed for any python3 here (Debian: apt-get install python3-mne); the independent checker above still ran' }, async () => {
  const s = writeSession(tmp(), { start: 1_700_000_000.5, samples: 256 * 6, channels: ['TP9', 'AF7', 'AF8', 'TP10'] });
  const { file } = await exportEdf(s, 256);
  const script = [
    'import json, sys, mne',
    'raw = mne.io.read_raw_edf(sys.argv[1], preload=True, infer_types=True, verbose="error")',
    'd = raw.get_data()',
    'print(json.dumps({"ch_names": raw.ch_names, "types": raw.get_channel_types(), "sfreq": float(raw.info["sfreq"]), "n_times": int(raw.n_times),',
    '  "meas_date": raw.info["meas_date"].timestamp(), "first": [float(x) for x in d[:, 0]], "last": [float(x) for x in d[:, 256 * 6 - 1]]}))',
  ].join('\n');
  const out = JSON.parse(execFileSync(mnePython!, ['-c', script, file], { encoding: 'utf8' }));
  assert.deepEqual(out.ch_names, s.channels);
  assert.ok(out.types.every((t: string) => t === 'eeg'));
  assert.equal(out.sfreq, 256);
  assert.equal(out.n_times, 256 * 6);
  assert.equal(Math.floor(out.meas_date), 1_700_000_000);
  s.channels.forEach((_, c) => {
    // MNE returns volts.
    assert.ok(Math.abs(out.first[c] * 1e6 - s.values[c]![0]!) < 0.01);
    assert.ok(Math.abs(out.last[c] * 1e6 - s.values[c]![256 * 6 - 1]!) < 0.01);
  });
});
