// Numbers of a CSV field read in place, without cutting the line into strings: re-embedding parses
// every sample of every window it reads (80,000 numbers per epoch of a 32-channel 500 Hz file),
// and `split` + `Number` spent most of a run's time on the event loop.
//
// Plain decimals (`-12.3456`, `1700000000.123456`) whose digits make an integer below 2^53 are
// read as digits / 10^k: both are exact doubles, so the one IEEE division is correctly rounded —
// the same double `Number()` gives. Anything else (more digits, exponents, `NaN`, spaces) goes to `Number()`.

/** The number in text[from, to), NaN for an empty or unreadable field. */
export function parseDecimal(text: string, from: number, to: number): number {
  if (from >= to) return NaN;
  let i = from;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let scale = 0;
  let seenDot = false;
  let any = false;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      mantissa = mantissa * 10 + (c - 48);
      if (seenDot) scale++;
    } else if (c === 46 /* . */ && !seenDot) {
      seenDot = true;
    } else {
      return slowNumber(text, from, to);
    }
  }
  if (!any) return slowNumber(text, from, to);
  // Past 2^53 the running mantissa stopped being exact.
  if (mantissa > Number.MAX_SAFE_INTEGER || scale > 22) return slowNumber(text, from, to);
  const v = scale === 0 ? mantissa : mantissa / POW10[scale]!;
  return negative ? -v : v;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

function slowNumber(text: string, from: number, to: number): number {
  const s = text.slice(from, to).trim();
  return s === '' ? NaN : Number(s);
}
