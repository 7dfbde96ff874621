// Hjorth parameters of a window: activity = var(x), mobility = √(var(x′)/var(x)), complexity =
// mobility(x′)/mobility(x), with x′ the first difference. All zero for a flat window.
// Source: B. Hjorth, "EEG analysis based on time domain properties", Electroencephalogr. Clin.
// Neurophysiol. 29 (1970) 306–310.

export interface Hjorth {
  activity: number;
  mobility: number;
  complexity: number;
}

/** Population variance of x[0…n), of its first difference and of its second difference, in one pass each. */
export function hjorthParameters(x: ArrayLike<number>, n = x.length): Hjorth {
  if (n < 3) return { activity: 0, mobility: 0, complexity: 0 };
  let s0 = 0, q0 = 0, s1 = 0, q1 = 0, s2 = 0, q2 = 0;
  let prev = x[0]!, prevD = 0;
  s0 = prev;
  q0 = prev * prev;
  for (let i = 1; i < n; i++) {
    const v = x[i]!;
    const d = v - prev;
    s0 += v;
    q0 += v * v;
    s1 += d;
    q1 += d * d;
    if (i >= 2) {
      const dd = d - prevD;
      s2 += dd;
      q2 += dd * dd;
    }
    prev = v;
    prevD = d;
  }
  const var0 = Math.max(0, q0 / n - (s0 / n) ** 2);
  const var1 = Math.max(0, q1 / (n - 1) - (s1 / (n - 1)) ** 2);
  const var2 = Math.max(0, q2 / (n - 2) - (s2 / (n - 2)) ** 2);
  if (var0 < 1e-20) return { activity: 0, mobility: 0, complexity: 0 };
  const mobility = Math.sqrt(var1 / var0);
  const mobilityD = var1 > 1e-20 ? Math.sqrt(var2 / var1) : 0;
  return { activity: var0, mobility, complexity: mobility > 1e-10 ? mobilityD / mobility : 0 };
}
