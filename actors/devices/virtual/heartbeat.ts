// Beat times of the virtual heart. Each inter-beat interval (IBI) is the mean 60/HR, modulated
// by respiratory sinus arrhythmia (IBI lengthens on exhalation; Hirsch & Bishop 1981, Am. J.
// Physiol. 241:H620–H629) and jittered beat to beat. The requested RMSSD is split equally (in
// variance) between the two: resting adults have RMSSD ≈ 20–60 ms (Shaffer & Ginsberg 2017,
// Front. Public Health 5:258).
import type { SeededRandom } from './seededRandom.ts';

export interface HeartSettings {
  heartRateBpm: number;
  rmssdMs: number;
  respirationRateBpm: number;
}

export interface Beat {
  /** Onset (the pulse foot), seconds since start. */
  t: number;
  /** Interval to the next beat, seconds. */
  ibi: number;
}

/** Physiological IBI limits also used by the reference's analyzer (notes §3.6). */
const IBI_RANGE_S: readonly [number, number] = [0.3, 2.0];

export interface Heartbeat {
  /** Beats covering [t − lookBehindS, t + lookAheadS], oldest first; generates ahead as needed. */
  around(t: number, lookBehindS: number, lookAheadS: number): Beat[];
  /** Respiration phase signal sin(2π f_resp t), for the respiratory baseline modulation. */
  breath(t: number): number;
}

export function heartbeat(h: HeartSettings, rng: SeededRandom, onBeat: (beat: Beat) => void): Heartbeat {
  const mean = 60 / h.heartRateBpm;
  const fResp = h.respirationRateBpm / 60;
  const targetS = h.rmssdMs / 1000 / Math.SQRT2; // each half of the RMSSD variance
  // Beats a mean interval m apart sample IBI = m·(1 + d·sin(2π f t)); successive differences
  // are m·d·(sin(2πf(t+m)) − sin(2πf t)), whose RMS is √2·m·d·sin(π f m).
  const rsaDepth = Math.min(0.15, targetS / (Math.SQRT2 * mean * Math.sin(Math.PI * fResp * mean)));
  // Independent jitter of SD σ gives successive differences of RMS σ√2.
  const jitterSd = targetS / Math.SQRT2;
  const breathPhase = rng.uniform(0, 2 * Math.PI);
  const breath = (t: number) => Math.sin(2 * Math.PI * fResp * t + breathPhase);

  const beats: Beat[] = [];
  let nextT = rng.uniform(0, mean);
  const addBeat = () => {
    const ibi = Math.min(IBI_RANGE_S[1], Math.max(IBI_RANGE_S[0], mean * (1 + rsaDepth * breath(nextT)) + jitterSd * rng.gaussian()));
    const beat = { t: nextT, ibi };
    beats.push(beat);
    onBeat(beat);
    nextT += ibi;
  };
  return {
    breath,
    around(t, lookBehindS, lookAheadS) {
      while (nextT <= t + lookAheadS) addBeat();
      // Forget beats that can no longer contribute; keep the list short.
      let drop = 0;
      while (drop < beats.length - 1 && beats[drop]!.t + beats[drop]!.ibi < t - lookBehindS) drop++;
      if (drop > 0) beats.splice(0, drop);
      return beats;
    },
  };
}
