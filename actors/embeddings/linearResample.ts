// Linear resampling of one channel to the encoder's rate, as the reference does for its 1280-
// sample epochs (notes §5.1). Output sample i sits at time i / toHz from the epoch start and is
// interpolated between the two source samples around i · fromHz / toHz; past the last source
// sample the last value is held. Equal rates copy. No anti-alias filter: encoders look at
// < 50 Hz and EEG has little power above half of any rate they use (the built-in one reads
// 1–45 Hz at 256 Hz), so what folds down from above 128 Hz is small; a rate below the model's
// is interpolated up and simply carries nothing above its own Nyquist frequency.

export function linearResample(src: Float32Array, fromHz: number, toHz: number, outLength: number, out = new Float32Array(outLength)): Float32Array {
  const n = src.length;
  if (n === 0) return out.fill(0);
  const step = fromHz / toHz;
  const last = src[n - 1]!;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const j = Math.trunc(pos);
    if (j >= n - 1) {
      out[i] = last;
      continue;
    }
    const a = src[j]!;
    // At frac = 0 this is exactly `a`: equal rates copy bit for bit.
    out[i] = a + (src[j + 1]! - a) * (pos - j);
  }
  return out;
}
