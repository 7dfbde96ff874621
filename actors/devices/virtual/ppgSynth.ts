// Synthetic PPG at 64 Hz with the Muse 2's three channels: ambient, infrared, red (notes §2.2),
// as raw unsigned ADC counts (muse-ble-protocol §6.2; ~212 000 counts for infrared in the
// `ppg-realistic-infrared` vector).
//
// Pulse: the sum of two Gaussians per beat, a systolic wave and a smaller, later diastolic
// wave (Tang et al. 2020, Sci. Rep. 10:13883, "Synthetic photoplethysmogram generation using two
// Gaussian functions"). More blood means more absorption, so detected light dips with each
// pulse; the AC part is a few percent of the DC part (Allen 2007, Physiol. Meas. 28:R1–R39).
// The red AC/DC ratio is half the infrared one, R = 0.5, which the empirical calibration
// SpO₂ ≈ 110 − 25·R reads as about 97 % (Webster 1997, "Design of Pulse Oximeters").
// Breathing moves the baseline slightly (respiratory-induced intensity variation).
import { heartbeat, type Beat } from './heartbeat.ts';
import { seededRandom } from './seededRandom.ts';
import { slowWander } from './slowWander.ts';
import type { VirtualEventSink } from './virtualEvent.ts';
import type { VirtualSettings } from './virtualOptions.ts';

export const PPG_SAMPLE_RATE_HZ = 64;
export const PPG_CHANNEL_NAMES = ['ambient', 'infrared', 'red'];

const DC_COUNTS = { ambient: 1_000, infrared: 212_000, red: 130_000 };
/** Perfusion index (AC/DC) of the infrared channel at the forehead. */
const IR_PERFUSION = 0.02;
const RED_TO_IR_RATIO = 0.5;
const RESPIRATORY_BASELINE = 0.004;
const NOISE_COUNTS = { ambient: 3, infrared: 25, red: 20 };

/**
 * Pulse waveform at `u` = time since the pulse foot as a fraction of the IBI (peak ≈ 1). The
 * diastolic wave is placed so it shows as a shoulder after the dicrotic notch, not as a second
 * peak: a peak-counting heart-rate detector sees one pulse per beat even at slow rates.
 */
export function pulseShape(u: number): number {
  const systolic = Math.exp(-((u - 0.2) ** 2) / (2 * 0.075 ** 2));
  const diastolic = 0.55 * Math.exp(-((u - 0.4) ** 2) / (2 * 0.13 ** 2));
  return systolic + diastolic;
}

export interface PpgSynth {
  readonly position: number;
  next(n: number): Float32Array[];
}

export function ppgSynth(s: VirtualSettings, sink: VirtualEventSink): PpgSynth {
  const fs = PPG_SAMPLE_RATE_HZ;
  const rng = seededRandom(s.seed, 'ppg');
  const heart = heartbeat(
    { heartRateBpm: s.heart_rate_bpm, rmssdMs: s.hrv_rmssd_ms, respirationRateBpm: s.respiration_rate_bpm },
    seededRandom(s.seed, 'ppg.heart'),
    (beat) => sink({ kind: 'beat', tMs: beat.t * 1000 }),
  );
  // Slow changes in contact pressure and ambient light.
  const contact = slowWander(0.003, 20, fs, rng);
  const ambientDrift = slowWander(0.05, 30, fs, rng);
  const blood = (t: number, beats: Beat[]) => {
    let v = 0;
    for (const b of beats) {
      const u = (t - b.t) / b.ibi;
      if (u > -0.5 && u < 1.5) v += pulseShape(u);
    }
    return v;
  };
  let i = 0;
  return {
    get position() {
      return i;
    },
    next(n) {
      const ambient = new Float32Array(n);
      const infrared = new Float32Array(n);
      const red = new Float32Array(n);
      for (let k = 0; k < n; k++, i++) {
        const t = i / fs;
        const pulse = blood(t, heart.around(t, 2.5, 2.5));
        const baseline = 1 + contact.step() + RESPIRATORY_BASELINE * heart.breath(t);
        ambient[k] = Math.max(0, DC_COUNTS.ambient * (1 + ambientDrift.step()) + NOISE_COUNTS.ambient * rng.gaussian());
        infrared[k] = DC_COUNTS.infrared * baseline * (1 - IR_PERFUSION * pulse) + NOISE_COUNTS.infrared * rng.gaussian();
        red[k] = DC_COUNTS.red * baseline * (1 - IR_PERFUSION * RED_TO_IR_RATIO * pulse) + NOISE_COUNTS.red * rng.gaussian();
      }
      return [ambient, infrared, red];
    },
  };
}
