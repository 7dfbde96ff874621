// Real-time factor of the whole signal pipeline (IIR filter → band analysis → indices → scores,
// plus quality and blinks) on synthetic recordings, for a Muse-like 4 ch @ 256 Hz and a 32 ch @
// 1000 Hz cap. The baseline, measured in the same run on the same data, is the irreducible core
// of the band analysis alone: per channel and 64-sample hop, a Hann window, one 512-point real
// FFT and the six band sums — so the ratio is the share of time the pipeline spends on that core.
import { absoluteBandPowers, bandBinRanges } from '../actors/signal/bandPowers.ts';
import { BAND_HOP, BAND_WINDOW } from '../actors/signal/bandAnalyzer.ts';
import { hannWindow, sumOfSquares } from '../actors/signal/hannWindow.ts';
import { binPowers } from '../actors/signal/powerSpectrum.ts';
import { RealFft } from '../actors/signal/realFft.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { eegFrames, MUSE_LABELS, syntheticEeg, TEN_TWENTY } from '../test/fixtures/signal/syntheticSignals.ts';
import { formatValue, median, type BenchmarkOutcome, type Figure } from './figure.ts';

const ROUNDS = 7;

interface Case {
  name: string;
  /** Seconds of data per round: enough for a round to take a few hundred milliseconds. */
  seconds: number;
  labels: string[];
  fs: number;
  /** Samples per chunk, as the device delivers them. */
  chunk: number;
  goal: number;
}

const CASES: Case[] = [
  { name: '4 ch @ 256 Hz', seconds: 600, labels: MUSE_LABELS, fs: 256, chunk: 12, goal: 2000 },
  { name: '32 ch @ 1000 Hz', seconds: 60, labels: TEN_TWENTY.slice(0, 32), fs: 1000, chunk: 20, goal: 100 },
];

function log(line: string): void {
  process.stderr.write(`pipeline: ${line}\n`);
}

/** Seconds of wall time for `f`. */
function timed(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function runPipeline(c: Case, data: Float32Array[]): { seconds: number; snapshots: number } {
  let snapshots = 0;
  const seconds = timed(() => {
    const p = new SignalPipeline({ channelNames: c.labels, sampleRateHz: c.fs });
    for (const frame of eegFrames(data, c.fs, c.chunk)) snapshots += p.pushEeg(frame).length;
  });
  return { seconds, snapshots };
}

/** The baseline: window + FFT + band sums per channel per hop over the same samples. */
function runFftAlone(c: Case, data: Float32Array[]): { seconds: number; checksum: number } {
  const fft = new RealFft(BAND_WINDOW);
  const hann = hannWindow(BAND_WINDOW), s2 = sumOfSquares(hann);
  const ranges = bandBinRanges(c.fs, BAND_WINDOW);
  const tapered = new Float64Array(BAND_WINDOW), p = new Float64Array(BAND_WINDOW / 2 + 1), bands = new Float64Array(6);
  let checksum = 0;
  const n = data[0]!.length;
  const seconds = timed(() => {
    for (let end = BAND_WINDOW; end <= n; end += BAND_HOP) {
      for (const x of data) {
        for (let i = 0; i < BAND_WINDOW; i++) tapered[i] = x[end - BAND_WINDOW + i]! * hann[i]!;
        fft.forward(tapered);
        binPowers(fft, s2, p);
        absoluteBandPowers(p, ranges, bands);
        checksum += bands[2]!;
      }
    }
  });
  return { seconds, checksum };
}

export async function run(): Promise<BenchmarkOutcome> {
  const figures: Figure[] = [];
  const notes: string[] = [
    `Data: synthetic EEG (1/f background, waxing alpha, beta, 60 Hz hum, DC offsets), fed in device-sized chunks; default filter (high-pass 0.5 Hz, low-pass 50 Hz, 60 Hz notch and harmonics).`,
    `Real-time factor = seconds of data / seconds of wall time, median of ${ROUNDS} rounds (a fresh pipeline per round, pipeline and baseline alternating); one warm-up round each first.`,
  ];
  for (const c of CASES) {
    const data = syntheticEeg({ channels: c.labels.length, fs: c.fs, seconds: c.seconds, seed: 42 });
    runPipeline(c, data);
    runFftAlone(c, data);
    const pipe: number[] = [], base: number[] = [];
    let snapshots = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const pr = runPipeline(c, data);
      snapshots = pr.snapshots;
      pipe.push(c.seconds / pr.seconds);
      base.push(c.seconds / runFftAlone(c, data).seconds);
      log(`${c.name} round ${r + 1}/${ROUNDS}: pipeline ${formatValue(pipe.at(-1)!)}×, FFT alone ${formatValue(base.at(-1)!)}×`);
    }
    const value = median(pipe), baseline = median(base);
    figures.push({
      name: `${c.name}: pipeline real-time factor`,
      value,
      unit: '× real time',
      baseline: { name: 'Hann + FFT + band sums alone', value: baseline },
      ratio: value / baseline,
      goal: `≥ ${c.goal}× real time`,
      pass: value >= c.goal,
    });
    notes.push(
      `${c.name}: ${c.seconds} s of data per round in chunks of ${c.chunk} samples, ${snapshots} snapshots (${formatValue(snapshots / c.seconds)}/s); pipeline ${formatValue(Math.min(...pipe))}–${formatValue(Math.max(...pipe))}×, baseline ${formatValue(Math.min(...base))}–${formatValue(Math.max(...base))}× over the rounds.`,
    );
  }
  return { figures, notes };
}

// `node --import tsx bench/pipeline.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const outcome = await run();
  for (const f of outcome.figures) {
    process.stdout.write(`${f.name}: ${formatValue(f.value)} ${f.unit} (baseline ${formatValue(f.baseline!.value)}, ratio ${f.ratio!.toFixed(3)}, ${f.pass ? 'pass' : 'FAIL'} ${f.goal})\n`);
  }
  for (const n of outcome.notes) process.stdout.write(`  ${n}\n`);
}
