// The symmetric Hann window used by the reference's band analysis, w[i] = ½(1 − cos(2πi/(N−1))),
// and its Σw², the denominator of the Heinzel power normalisation.
// Sources: R. B. Blackman & J. W. Tukey, "The Measurement of Power Spectra" (1958) for the window;
// G. Heinzel, A. Rüdiger & R. Schilling, "Spectrum and spectral density estimation by the DFT",
// Max-Planck-Institut für Gravitationsphysik (2002), the normalising sum S2 = Σw².

export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  for (let i = 0; i < n; i++) w[i] = 0.5 * (1 - Math.cos((2 * Math.PI * i) / (n - 1)));
  return w;
}

export function sumOfSquares(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  return s;
}
