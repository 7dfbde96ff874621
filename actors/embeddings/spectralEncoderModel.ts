// The built-in EEG encoder, `skill-spectral-v1.onnx`: a spectral fingerprint of a 5 s epoch,
// written as an ONNX graph so it loads through the same onnxruntime path as any other encoder.
//
//   eeg [C, 1280] at 256 Hz (C is symbolic: any channel count)
//   → 4 sub-windows of 2 s, hop 1 s (Welch 1967, IEEE Trans. Audio Electroacoust. 15:70–73)
//   → linear detrend, Hann window and DFT, all three folded into one [512 × 2F] matrix
//     (cos and sin columns for the F bins from 1 to 45 Hz, 0.5 Hz apart)
//   → power (re² + im²), summed into 5 bands by a [2F × 5] matrix scaled so a band's value is the
//     signal's variance in that band, µV² (Heinzel et al. 2002 normalisation)
//   → log band powers per channel and sub-window, made relative by the centred log-ratio
//     (Aitchison 1986, "The Statistical Analysis of Compositional Data"): clr_b = ln P_b − mean ln P,
//     minus the clr of a 1/f ("pink") spectrum, so a featureless EEG spectrum sits at the origin
//   → pooled so any channel count works: the channel mean of the sub-window mean (spectral shape),
//     its standard deviation across channels (spatial spread), the channel mean of the standard
//     deviation across sub-windows (stability within the epoch), and the mean log total power
//     against 100 µV² (level, half weight): 16 features
//   → a fixed seeded projection with orthonormal rows to 128 dims (angles kept exactly)
//   → L2 normalisation: output `embedding` [128].
//
// Gamma stops at 45 Hz to stay clear of 50/60 Hz mains; delta starts at 1 Hz because a 2 s
// window cannot resolve slower activity from drift. Eyes closing raises alpha and moves the
// shape features, so eyes-closed epochs land near each other (test/encoder.model.test.ts).
//
// Any change to the graph or its constants must change the file name (v1 → v2): files already
// generated in data directories are reused by name.
import { hannWindow, sumOfSquares } from '../signal/hannWindow.ts';
import { BUILTIN_ONNX_FILE } from './exgCatalog.ts';
import { OnnxGraph } from './onnxGraph.ts';
import { orthonormalProjection } from './seededProjection.ts';

export const SPECTRAL_MODEL = {
  file: BUILTIN_ONNX_FILE,
  name: 'skill-spectral-v1',
  sampleRateHz: 256,
  samples: 1280,
  windowSamples: 512,
  hopSamples: 256,
  windows: 4,
  /** Lowest and one-past-highest DFT bin used (0.5 Hz per bin): 1 Hz to 45 Hz. */
  firstBin: 2,
  endBin: 90,
  bands: [
    { name: 'delta', loHz: 1, hiHz: 4 },
    { name: 'theta', loHz: 4, hiHz: 8 },
    { name: 'alpha', loHz: 8, hiHz: 13 },
    { name: 'beta', loHz: 13, hiHz: 30 },
    { name: 'gamma', loHz: 30, hiHz: 45 },
  ],
  /** Added to every power (µV²) before the log: a flat or missing channel stays finite. */
  epsilonUv2: 1e-3,
  /** ln of the reference level of the level feature (100 µV², i.e. 10 µV RMS). */
  levelRef: Math.log(100),
  levelWeight: 0.5,
  features: 16,
  dim: 128,
  seed: 0x5eec7a1,
  inputName: 'eeg',
  outputName: 'embedding',
} as const;

/** Band of a DFT bin (lower edge inclusive), or -1. */
export function bandOfBin(k: number): number {
  const hz = (k * SPECTRAL_MODEL.sampleRateHz) / SPECTRAL_MODEL.windowSamples;
  return SPECTRAL_MODEL.bands.findIndex((b) => hz >= b.loHz && hz < b.hiHz);
}

/** clr of the band powers of a 1/f spectrum: ∫ df/f over a band is ln(hi/lo). */
export function pinkClr(): number[] {
  const logs = SPECTRAL_MODEL.bands.map((b) => Math.log(Math.log(b.hiHz / b.loHz)));
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  return logs.map((l) => l - mean);
}

/** The [16 × 128] projection, feature weights folded into its rows. */
export function spectralProjection(): Float64Array {
  const { features, dim, seed, name, levelWeight } = SPECTRAL_MODEL;
  const r = orthonormalProjection(features, dim, seed, `${name} projection`);
  for (let k = 0; k < dim; k++) r[(features - 1) * dim + k] = r[(features - 1) * dim + k]! * levelWeight;
  return r;
}

/** Serialized `skill-spectral-v1.onnx`. */
export function buildSpectralEncoder(): Uint8Array {
  const S = SPECTRAL_MODEL;
  const N = S.windowSamples;
  const F = S.endBin - S.firstBin;
  const nb = S.bands.length;
  const g = new OnnxGraph();

  // Detrend, window and DFT in one matrix: column j of M is P·diag(w)·(cos|sin)(2πkn/N), with P
  // the projection that removes a line (least squares on {1, n}); P is symmetric, so x·M is the
  // DFT of the windowed, detrended x.
  const w = hannWindow(N);
  const basis = new Float64Array(N * 2 * F);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < F; j++) {
      const phase = (2 * Math.PI * (S.firstBin + j) * n) / N;
      basis[n * 2 * F + j] = w[n]! * Math.cos(phase);
      basis[n * 2 * F + F + j] = -w[n]! * Math.sin(phase);
    }
  }
  const m = detrendColumns(basis, N, 2 * F);

  // Band sums with the one-sided power scaling 2 / (N · Σw²).
  const scale = 2 / (N * sumOfSquares(w));
  const bandSum = new Float64Array(2 * F * nb);
  for (let j = 0; j < F; j++) {
    const b = bandOfBin(S.firstBin + j);
    if (b < 0) continue;
    bandSum[j * nb + b] = scale;
    bandSum[(F + j) * nb + b] = scale;
  }
  const windowIndex = Array.from({ length: S.windows * N }, (_, i) => Math.floor(i / N) * S.hopSamples + (i % N));

  const x = S.inputName;
  const eps = g.floats('epsilon_uv2', [], [S.epsilonUv2]);
  const windows = g.op('Gather', [x, g.ints('window_index', [S.windows, N], windowIndex)], { axis: 1 }); // [C,4,512]
  const spectrum = g.op('MatMul', [windows, g.floats('detrend_hann_dft', [N, 2 * F], m)]); // [C,4,2F]
  const power = g.op('Mul', [spectrum, spectrum]);
  const bandPower = g.op('MatMul', [power, g.floats('band_sum', [2 * F, nb], bandSum)]); // [C,4,5]
  const logPower = g.op('Log', [g.op('Add', [bandPower, eps])]);
  const clr = g.op('Sub', [logPower, g.op('ReduceMean', [logPower], { axes: [2], keepdims: 1 })]);
  const shapeDev = g.op('Sub', [clr, g.floats('pink_clr', [nb], pinkClr())]); // [C,4,5]

  const perChannel = g.op('ReduceMean', [shapeDev], { axes: [1], keepdims: 1 }); // [C,1,5]
  const stability = std(g, shapeDev, perChannel, 1); // [C,1,5]
  const shape = g.op('ReduceMean', [perChannel], { axes: [0], keepdims: 1 }); // [1,1,5]
  const spread = std(g, perChannel, shape, 0); // [1,1,5]
  const meanStability = g.op('ReduceMean', [stability], { axes: [0], keepdims: 1 }); // [1,1,5]
  const total = g.op('ReduceSum', [bandPower, g.ints('band_axis', [1], [2])], { keepdims: 1 }); // [C,4,1]
  const logTotal = g.op('Log', [g.op('Add', [total, eps])]);
  const level = g.op('Sub', [g.op('ReduceMean', [logTotal], { axes: [0, 1], keepdims: 1 }), g.floats('level_ref', [], [S.levelRef])]); // [1,1,1]

  const features = g.op('Reshape', [g.op('Concat', [shape, spread, meanStability, level], { axis: 2 }), g.ints('feature_shape', [2], [1, S.features])]);
  const projected = g.op('MatMul', [features, g.floats('projection', [S.features, S.dim], spectralProjection())]); // [1,128]
  const norm = g.op('Max', [g.op('ReduceL2', [projected], { axes: [1], keepdims: 1 }), g.floats('norm_floor', [], [1e-12])]);
  g.op('Reshape', [g.op('Div', [projected, norm]), g.ints('embedding_shape', [1], [S.dim])], {}, S.outputName);

  return g.encode({
    name: S.name,
    doc: 'Spectral fingerprint of a 5 s EEG epoch (skill-daemon built-in encoder): log band powers per channel and sub-window, pooled over channels, fixed seeded projection, L2-normalised.',
    inputs: [{ name: x, dims: ['channels', S.samples] }],
    outputs: [{ name: S.outputName, dims: [S.dim] }],
    metadata: { sample_rate_hz: String(S.sampleRateHz), samples: String(S.samples), embed_dim: String(S.dim) },
  });
}

/** sqrt(mean((x − mean)²)) over `axis`, keepdims. */
function std(g: OnnxGraph, x: string, mean: string, axis: number): string {
  const d = g.op('Sub', [x, mean]);
  return g.op('Sqrt', [g.op('ReduceMean', [g.op('Mul', [d, d])], { axes: [axis], keepdims: 1 })]);
}

/** P·A for the N×cols matrix A, P = I − Q·Qᵀ with Q an orthonormal basis of {1, n}. */
function detrendColumns(a: Float64Array, n: number, cols: number): Float64Array {
  const q0 = new Float64Array(n).fill(1 / Math.sqrt(n));
  const q1 = new Float64Array(n);
  const mid = (n - 1) / 2;
  let len = 0;
  for (let i = 0; i < n; i++) len += (i - mid) ** 2;
  for (let i = 0; i < n; i++) q1[i] = (i - mid) / Math.sqrt(len);
  const out = Float64Array.from(a);
  for (const q of [q0, q1]) {
    for (let c = 0; c < cols; c++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i]! * a[i * cols + c]!;
      for (let i = 0; i < n; i++) out[i * cols + c] = out[i * cols + c]! - dot * q[i]!;
    }
  }
  return out;
}
