// Heart rate and heart-rate variability from inter-beat intervals (IBIs, in seconds), the
// measures of the reference's PPG analysis (notes §3.6).
// Source for the definitions and bands: Task Force of the European Society of Cardiology and the
// North American Society of Pacing and Electrophysiology, "Heart rate variability: standards of
// measurement, physiological interpretation and clinical use", Circulation 93 (1996) 1043–1065.

/** 60 / mean IBI (bpm); null without intervals. */
export function heartRateBpm(ibis: ArrayLike<number>): number | null {
  if (ibis.length === 0) return null;
  let s = 0;
  for (let i = 0; i < ibis.length; i++) s += ibis[i]!;
  return 60 / (s / ibis.length);
}

/** Root mean square of successive differences (ms); null with fewer than 2 intervals. */
export function rmssdMs(ibis: ArrayLike<number>): number | null {
  if (ibis.length < 2) return null;
  let ss = 0;
  for (let i = 1; i < ibis.length; i++) ss += ((ibis[i]! - ibis[i - 1]!) * 1000) ** 2;
  return Math.sqrt(ss / (ibis.length - 1));
}

/** Standard deviation of the intervals (ms, population form as the reference); null without intervals. */
export function sdnnMs(ibis: ArrayLike<number>): number | null {
  if (ibis.length === 0) return null;
  let m = 0;
  for (let i = 0; i < ibis.length; i++) m += ibis[i]!;
  m /= ibis.length;
  let ss = 0;
  for (let i = 0; i < ibis.length; i++) ss += ((ibis[i]! - m) * 1000) ** 2;
  return Math.sqrt(ss / ibis.length);
}

/** Percentage of successive differences larger than 50 ms; null with fewer than 2 intervals. */
export function pnn50Pct(ibis: ArrayLike<number>): number | null {
  if (ibis.length < 2) return null;
  let over = 0;
  for (let i = 1; i < ibis.length; i++) if (Math.abs(ibis[i]! - ibis[i - 1]!) > 0.05) over++;
  return (100 * over) / (ibis.length - 1);
}

/**
 * LF/HF: the tachogram (each IBI placed at its beat time) is linearly interpolated to 4 Hz, its
 * mean removed, and the power summed at 0.01 Hz steps (Goertzel) over LF 0.04–0.15 Hz and HF
 * 0.15–0.40 Hz, as the reference does. `beatTimesS[i]` is the time of the beat closing
 * `ibis[i]`. Null with less than `minSpanS` of beats (LF needs several 25 s cycles) or no HF power.
 */
export function lfHfRatio(ibis: ArrayLike<number>, beatTimesS: ArrayLike<number>, minSpanS = 60): number | null {
  const n = ibis.length;
  if (n < 4) return null;
  const t0 = beatTimesS[0]!, t1 = beatTimesS[n - 1]!;
  if (t1 - t0 < minSpanS) return null;
  const rate = 4;
  const m = Math.floor((t1 - t0) * rate) + 1;
  const series = new Float64Array(m);
  let j = 0, mean = 0;
  for (let i = 0; i < m; i++) {
    const t = t0 + i / rate;
    while (j + 1 < n - 1 && beatTimesS[j + 1]! < t) j++;
    const ta = beatTimesS[j]!, tb = beatTimesS[j + 1]!;
    const f = tb > ta ? Math.min(1, Math.max(0, (t - ta) / (tb - ta))) : 0;
    series[i] = ibis[j]! * (1 - f) + ibis[j + 1]! * f;
    mean += series[i]!;
  }
  mean /= m;
  for (let i = 0; i < m; i++) series[i] = series[i]! - mean;
  const lf = goertzelBandPower(series, rate, 0.04, 0.15, true);
  const hf = goertzelBandPower(series, rate, 0.15, 0.4, false);
  return hf > 1e-12 ? lf / hf : null;
}

/** Σ |X(f)|² at 0.01 Hz steps over [lo, hi] (hi excluded when `openTop`). Source: Goertzel (1958). */
function goertzelBandPower(x: Float64Array, fs: number, lo: number, hi: number, openTop: boolean): number {
  let power = 0;
  for (let step = 0; ; step++) {
    const f = lo + step * 0.01;
    if (openTop ? f >= hi - 1e-9 : f > hi + 1e-9) break;
    const coeff = 2 * Math.cos((2 * Math.PI * f) / fs);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < x.length; i++) {
      const s0 = x[i]! + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    power += s1 * s1 + s2 * s2 - coeff * s1 * s2;
  }
  return power;
}

/**
 * Baevsky stress index SI = AMo / (2·Mo·MxDMn) from a 50 ms IBI histogram: AMo = share of the
 * modal bin (%), Mo = its centre (s), MxDMn = max − min IBI (s). Null with fewer than 3 intervals
 * or no spread. Source: R. M. Baevsky & A. G. Chernikova, "Heart rate variability analysis:
 * physiological foundations and main methods", Cardiometry 10 (2017) 66–76.
 */
export function baevskyStressIndex(ibis: ArrayLike<number>): number | null {
  const n = ibis.length;
  if (n < 3) return null;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, ibis[i]!);
    hi = Math.max(hi, ibis[i]!);
  }
  const range = hi - lo;
  if (range < 0.001) return null;
  const width = 0.05;
  const bins = new Uint32Array(Math.ceil(range / width) + 1);
  for (let i = 0; i < n; i++) bins[Math.min(bins.length - 1, Math.floor((ibis[i]! - lo) / width))]!++;
  let mode = 0;
  for (let b = 1; b < bins.length; b++) if (bins[b]! > bins[mode]!) mode = b;
  const mo = lo + (mode + 0.5) * width;
  const amo = (100 * bins[mode]!) / n;
  return amo / (2 * mo * range);
}
