// Synthetic EEG for the virtual headset: a sum of what a real recording is made of, each part
// weighted per channel from the electrode's position (scalpPosition.ts):
//   1/f background, partly shared between neighbouring electrodes (volume conduction),
//   alpha that rises when the eyes close, frontal-midline theta, central beta,
//   blinks (eyes open only), muscle bursts, electrode drift, white sensor noise, optional mains,
//   and dropouts on top. Generation is strictly sample by sample, so the output does not depend
//   on how it is chunked: a real-time stream and a recording of the same seed are identical.
import { blinkTrain } from './blinks.ts';
import { dropouts } from './dropouts.ts';
import { eyesClosedAt } from './eyesSchedule.ts';
import { muscleBursts } from './muscleBursts.ts';
import { pinkFilter, type PinkFilter } from './pinkNoise.ts';
import { rhythm } from './rhythm.ts';
import { channelWeights, scalpPosition, type ScalpPosition } from './scalpPosition.ts';
import { seededRandom } from './seededRandom.ts';
import { slowWander, type SlowWander } from './slowWander.ts';
import type { VirtualEventSink } from './virtualEvent.ts';
import type { VirtualSettings } from './virtualOptions.ts';

// RMS of each part, as a fraction of `amplitude_uv` at a channel of weight 1. With the default
// 50 µV this gives ≈ 23 µV RMS eyes-open and ≈ 36 µV eyes-closed at O1/O2, the range of resting
// scalp EEG (10–100 µV; Nunez & Srinivasan 2006, "Electric Fields of the Brain", 2nd ed.).
const BACKGROUND_RMS = 0.4;
const ALPHA_EYES_CLOSED_RMS = 0.6;
/**
 * Eyes-closed / eyes-open alpha amplitude. Opening the eyes suppresses posterior alpha power
 * to roughly a fifth to a tenth (Berger 1929; Barry et al. 2007, Clin. Neurophysiol.
 * 118:2765–2773); 3× in amplitude is 9× in power.
 */
const ALPHA_REACTIVITY = 3;
/** Alpha blocks within a few hundred ms of eye opening and recovers over about as long. */
const ALPHA_GAIN_TAU_S = 0.4;
const THETA_RMS = 0.15;
const BETA_RMS = 0.1;
/** Share of background variance common to nearby electrodes (Nunez et al. 1997, EEG Clin. Neurophysiol. 103:499–515). */
const SHARED_BACKGROUND = 0.5;
/** Four shared background generators under the left/right, front/back quadrants of the scalp. */
const SHARED_SOURCES: ReadonlyArray<Pick<ScalpPosition, 'x' | 'y'>> = [
  { x: -0.6, y: 0.5 }, { x: 0.6, y: 0.5 }, { x: -0.6, y: -0.5 }, { x: 0.6, y: -0.5 },
];
const SHARED_SOURCE_SPREAD = 0.6;
const DRIFT_TAU_S = 8;

export interface EegSynth {
  readonly channelNames: string[];
  readonly sampleRateHz: number;
  /** Index of the next sample. */
  readonly position: number;
  /** The next `n` samples of every channel, in µV. */
  next(n: number): Float32Array[];
}

function unitNorm(v: number[]): number[] {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

export function eegSynth(s: VirtualSettings, sink: VirtualEventSink): EegSynth {
  const fs = s.sample_rate;
  const names = s.channelNames;
  const count = names.length;
  const A = s.amplitude_uv;
  const preset = s.preset;

  // Independent random streams, so one artifact's settings never move another's samples.
  const layoutRng = seededRandom(s.seed, 'eeg.layout');
  const bgRng = seededRandom(s.seed, 'eeg.background');
  const rhythmRng = seededRandom(s.seed, 'eeg.rhythms');
  const noiseRng = seededRandom(s.seed, 'eeg.noise');
  const driftRng = seededRandom(s.seed, 'eeg.drift');
  const white = () => bgRng.gaussian();

  const positions = names.map(scalpPosition);
  const weights = positions.map(channelWeights);
  // Electrodes differ a little in gain (contact, skull thickness): ±10 %.
  const gain = names.map(() => layoutRng.uniform(0.9, 1.1));
  const lineGain = names.map(() => layoutRng.uniform(0.8, 1.2));
  // Individual alpha frequency: adults peak near 10 Hz, ±1 Hz between people (Klimesch 1999).
  const alphaHz = 10 + layoutRng.uniform(-0.7, 0.7);

  const sharedMix = positions.map((p) => unitNorm(SHARED_SOURCES.map((q) =>
    Math.exp(-((p.x - q.x) ** 2 + (p.y - q.y) ** 2) / (2 * SHARED_SOURCE_SPREAD ** 2)))));
  const hemisphereMix = positions.map((p) => unitNorm([(1 - p.x) / 2, (1 + p.x) / 2]));

  const shared: PinkFilter[] = SHARED_SOURCES.map(() => pinkFilter(fs, white));
  const own: PinkFilter[] = names.map(() => pinkFilter(fs, white));
  const drift: SlowWander[] = names.map(() => slowWander(preset.driftUv, DRIFT_TAU_S, fs, driftRng));

  const alphaShape = { frequencyHz: alphaHz, frequencySdHz: 0.25, burstiness: 0.35, burstTauS: 0.6 };
  const alphaLeft = rhythm(alphaShape, fs, rhythmRng);
  const alphaRight = rhythm(alphaShape, fs, rhythmRng);
  const theta = rhythm({ frequencyHz: 6, frequencySdHz: 0.5, burstiness: 0.4, burstTauS: 0.8 }, fs, rhythmRng);
  const beta = rhythm({ frequencyHz: 20, frequencySdHz: 3, burstiness: 0.4, burstTauS: 0.3 }, fs, rhythmRng);

  const eyesClosed = eyesClosedAt(s.eyesClosedSchedule);
  const blinks = blinkTrain(s.blinks_per_minute, fs, seededRandom(s.seed, 'eeg.blinks'), sink);
  const muscle = muscleBursts(count, preset.emgPerMinute, preset.emgUv, fs, seededRandom(s.seed, 'eeg.emg'), sink);
  const lost = dropouts(names, Math.min(1, s.dropout_prob + preset.extraDropoutProb), fs, seededRandom(s.seed, 'eeg.dropouts'), sink);

  // Mains pickup is common-mode and phase-locked across channels; a third harmonic at a quarter
  // of the amplitude is typical of rectifier loads. Components at or above Nyquist are left out:
  // a real amplifier's anti-aliasing filter removes them.
  const lineHz = s.lineNoiseHz;
  const lineUv = lineHz > 0 ? preset.lineNoiseUv : 0;
  const thirdHarmonic = 3 * lineHz < fs / 2 ? 0.25 : 0;
  const fundamental = lineHz < fs / 2 ? 1 : 0;

  const noiseUv = s.noise_uv * preset.noiseScale;
  const sharedNow = new Float64Array(SHARED_SOURCES.length);
  const alphaGainClosed = 1;
  const alphaGainOpen = 1 / ALPHA_REACTIVITY;
  const alphaSmoothing = 1 - Math.exp(-1 / (ALPHA_GAIN_TAU_S * fs));
  let alphaGain = eyesClosed(0) ? alphaGainClosed : alphaGainOpen;
  let i = 0;

  return {
    channelNames: names,
    sampleRateHz: fs,
    get position() {
      return i;
    },
    next(n) {
      const out = names.map(() => new Float32Array(n));
      for (let k = 0; k < n; k++, i++) {
        const tS = i / fs;
        const closed = eyesClosed(tS);
        alphaGain += ((closed ? alphaGainClosed : alphaGainOpen) - alphaGain) * alphaSmoothing;
        for (let q = 0; q < sharedNow.length; q++) sharedNow[q] = shared[q]!.step(white());
        const aL = alphaLeft.step();
        const aR = alphaRight.step();
        const th = theta.step();
        const be = beta.step();
        const blinkUv = blinks.step(i, !closed);
        const emgOn = muscle.step(i);
        const line = lineUv === 0 ? 0
          : lineUv * (fundamental * Math.sin(2 * Math.PI * lineHz * tS) + thirdHarmonic * Math.sin(6 * Math.PI * lineHz * tS));

        for (let c = 0; c < count; c++) {
          const w = weights[c]!;
          const mix = sharedMix[c]!;
          let common = 0;
          for (let q = 0; q < mix.length; q++) common += mix[q]! * sharedNow[q]!;
          const background = Math.sqrt(SHARED_BACKGROUND) * common + Math.sqrt(1 - SHARED_BACKGROUND) * own[c]!.step(white());
          const hemi = hemisphereMix[c]!;
          const brain = A * gain[c]! * (
            BACKGROUND_RMS * background
            + ALPHA_EYES_CLOSED_RMS * alphaGain * w.alpha * (hemi[0]! * aL + hemi[1]! * aR)
            + THETA_RMS * w.theta * th
            + BETA_RMS * w.beta * be);
          const value = brain
            + w.blink * blinkUv
            + (emgOn ? w.emg * muscle.sample(c) : 0)
            + drift[c]!.step()
            + noiseUv * noiseRng.gaussian()
            + lineGain[c]! * line;
          out[c]![k] = lost.apply(i, c, value);
        }
      }
      return out;
    },
  };
}
