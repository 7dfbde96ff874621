// Vitals read from the PPG waveform itself rather than from beats (notes §3.6).

/**
 * Perfusion index (%) = AC/DC·100 with AC ≈ 2·SD of the window and DC its mean; null when
 * |DC| < 1 (no optical signal). Source: A. Lima & J. Bakker, "Noninvasive monitoring of peripheral
 * perfusion", Intensive Care Med. 31 (2005) 1316–1326 (PI as pulsatile over static absorption).
 */
export function perfusionIndexPct(ir: ArrayLike<number>, n = ir.length): number | null {
  if (n < 8) return null;
  const { mean, sd } = meanSd(ir, n);
  return Math.abs(mean) < 1 ? null : ((2 * sd) / Math.abs(mean)) * 100;
}

/**
 * SpO₂ estimate (%) from the ratio of ratios R = (AC_red/DC_red)/(AC_ir/DC_ir) with the textbook
 * linear calibration SpO₂ ≈ 110 − 25·R, clamped to 70–100. Uncalibrated for any particular
 * device: a trend, not a measurement. Source: J. G. Webster (ed.), "Design of Pulse Oximeters"
 * (1997), ch. 4.
 */
export function spo2EstimatePct(red: ArrayLike<number>, ir: ArrayLike<number>, n: number): number | null {
  if (n < 16) return null;
  const r = meanSd(red, n), i = meanSd(ir, n);
  if (Math.abs(r.mean) < 1 || Math.abs(i.mean) < 1 || i.sd < 1e-6) return null;
  const ratio = r.sd / r.mean / (i.sd / i.mean);
  return Math.min(100, Math.max(70, 110 - 25 * ratio));
}

/**
 * Respiratory rate (breaths/min): the strongest frequency in 0.15–0.5 Hz (9–30 /min), scanned
 * at 0.005 Hz steps with Goertzel, of the PPG baseline (respiration-induced intensity
 * variation) after removing a least-squares line and applying a Hann window. `series` is the
 * baseline sampled at `fs` (a few Hz). Null with under 16 s of series or no power in the band.
 * Source: W. Karlen et al., "Multiparameter respiratory rate estimation from the
 * photoplethysmogram", IEEE Trans. Biomed. Eng. 60 (2013) 1946–1953.
 */
export function respiratoryRateBpm(series: ArrayLike<number>, n: number, fs: number): number | null {
  if (n < 16 * fs) return null;
  // Least-squares line through (i, x[i]).
  let sx = 0, sy = 0, sxy = 0, sx2 = 0;
  for (let i = 0; i < n; i++) {
    const y = series[i]!;
    sx += i;
    sy += y;
    sxy += i * y;
    sx2 += i * i;
  }
  const den = n * sx2 - sx * sx;
  const slope = den !== 0 ? (n * sxy - sx * sy) / den : 0;
  const icpt = (sy - slope * sx) / n;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (series[i]! - icpt - slope * i) * 0.5 * (1 - Math.cos((2 * Math.PI * i) / (n - 1)));
  let bestF = 0, bestP = 0;
  for (let step = 0; step <= 70; step++) {
    const f = 0.15 + step * 0.005;
    const coeff = 2 * Math.cos((2 * Math.PI * f) / fs);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = x[i]! + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const p = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if (p > bestP) {
      bestP = p;
      bestF = f;
    }
  }
  return bestP > 1e-12 ? bestF * 60 : null;
}

function meanSd(x: ArrayLike<number>, n: number): { mean: number; sd: number } {
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - m) ** 2;
  return { mean: m, sd: Math.sqrt(ss / n) };
}
