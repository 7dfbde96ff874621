// The built-in spectral encoder computed directly in plain JS, loop by loop from its definition
// (actors/embeddings/spectralEncoderModel.ts), in float64: what the ONNX graph must reproduce.
import { hannWindow } from '../../actors/signal/hannWindow.ts';
import { pinkClr, spectralProjection, SPECTRAL_MODEL as S } from '../../actors/embeddings/spectralEncoderModel.ts';

/** Band powers (µV²) of one 512-sample window: least-squares line removed, Hann, DFT. */
function bandPowers(x: ArrayLike<number>, from: number): number[] {
  const N = S.windowSamples;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let n = 0; n < N; n++) {
    const y = x[from + n]!;
    sx += n; sy += y; sxx += n * n; sxy += n * y;
  }
  const slope = (N * sxy - sx * sy) / (N * sxx - sx * sx);
  const icpt = (sy - slope * sx) / N;
  const w = hannWindow(N);
  let w2 = 0;
  for (let n = 0; n < N; n++) w2 += w[n]! ** 2;
  const out = S.bands.map(() => 0);
  for (let k = S.firstBin; k < S.endBin; k++) {
    const hz = (k * S.sampleRateHz) / N;
    const b = S.bands.findIndex((band) => hz >= band.loHz && hz < band.hiHz);
    if (b < 0) continue;
    let re = 0, im = 0;
    for (let n = 0; n < N; n++) {
      const v = (x[from + n]! - (icpt + slope * n)) * w[n]!;
      re += v * Math.cos((2 * Math.PI * k * n) / N);
      im -= v * Math.sin((2 * Math.PI * k * n) / N);
    }
    out[b]! += (2 * (re * re + im * im)) / (N * w2);
  }
  return out;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
};

/** The 16 pooled features of an epoch `[channel][1280]` at 256 Hz, before weighting. */
export function spectralFeatures(channels: ArrayLike<number>[]): number[] {
  const pink = pinkClr();
  const nb = S.bands.length;
  const perChannel: number[][] = [];
  const stability: number[][] = [];
  const logTotals: number[] = [];
  for (const x of channels) {
    const devs: number[][] = [];
    for (let w = 0; w < S.windows; w++) {
      const p = bandPowers(x, w * S.hopSamples);
      const logs = p.map((v) => Math.log(v + S.epsilonUv2));
      const m = mean(logs);
      devs.push(logs.map((l, b) => l - m - pink[b]!));
      logTotals.push(Math.log(p.reduce((a, b) => a + b, 0) + S.epsilonUv2));
    }
    perChannel.push(Array.from({ length: nb }, (_, b) => mean(devs.map((d) => d[b]!))));
    stability.push(Array.from({ length: nb }, (_, b) => std(devs.map((d) => d[b]!))));
  }
  const shape = Array.from({ length: nb }, (_, b) => mean(perChannel.map((c) => c[b]!)));
  const spread = Array.from({ length: nb }, (_, b) => std(perChannel.map((c) => c[b]!)));
  const stab = Array.from({ length: nb }, (_, b) => mean(stability.map((c) => c[b]!)));
  return [...shape, ...spread, ...stab, mean(logTotals) - S.levelRef];
}

/** The embedding: features through the model's projection, L2-normalised. */
export function spectralEmbedding(channels: ArrayLike<number>[]): Float64Array {
  const f = spectralFeatures(channels);
  const r = spectralProjection();
  const out = new Float64Array(S.dim);
  for (let i = 0; i < S.features; i++) for (let k = 0; k < S.dim; k++) out[k]! += f[i]! * r[i * S.dim + k]!;
  const norm = Math.hypot(...out);
  return out.map((v) => v / norm);
}
