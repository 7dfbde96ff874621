// Numbers printed the way liblsl prints them. Its stream info writes doubles as C++ streams do
// with precision 16 and `showpoint` (printf "%#.16g": `256.0000000000000`), and its time-probe
// replies use plain precision 16 ("%.16g": `12345.5`). liblsl parses either form, but printing
// the same bytes lets our XML be compared with captured liblsl XML byte for byte.

/**
 * printf's `%.{precision}g` (or `%#.{precision}g` when `showPoint`): fixed notation unless the
 * decimal exponent is below -4 or at least `precision`; trailing zeros dropped unless showPoint.
 */
export function formatG(value: number, precision: number, showPoint: boolean): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value < 0 ? '-inf' : 'inf';
  if (value === 0) {
    const sign = Object.is(value, -0) ? '-' : '';
    return showPoint ? `${sign}0.${'0'.repeat(precision - 1)}` : `${sign}0`;
  }
  // The exponent after rounding to `precision` digits decides the notation, as in C.
  const expText = value.toExponential(precision - 1);
  const exponent = Number(expText.slice(expText.indexOf('e') + 1));
  if (exponent < -4 || exponent >= precision) {
    const [mantissa = '', exp = ''] = expText.split('e');
    const digits = showPoint ? mantissa : trimZeros(mantissa);
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${digits}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  const fixed = value.toFixed(precision - 1 - exponent);
  if (!showPoint) return trimZeros(fixed);
  return fixed.includes('.') ? fixed : `${fixed}.`;
}

function trimZeros(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}
