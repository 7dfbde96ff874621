// The six EEG bands of the reference (notes §3.2, `BANDS` in skill-constants): lower edge
// inclusive, upper edge exclusive, with the symbol and colour the UI shows for a dominant band.
// Band edges follow the clinical convention summarised in E. Niedermeyer & F. Lopes da Silva,
// "Electroencephalography" (5th ed., 2005), ch. 9.

export type BandName = 'delta' | 'theta' | 'alpha' | 'beta' | 'gamma' | 'high_gamma';

export interface Band {
  name: BandName;
  loHz: number;
  hiHz: number;
  symbol: string;
  color: string;
}

export const BANDS: readonly Band[] = Object.freeze([
  { name: 'delta', loHz: 0.5, hiHz: 4, symbol: 'δ', color: '#6366f1' },
  { name: 'theta', loHz: 4, hiHz: 8, symbol: 'θ', color: '#8b5cf6' },
  { name: 'alpha', loHz: 8, hiHz: 13, symbol: 'α', color: '#22c55e' },
  { name: 'beta', loHz: 13, hiHz: 30, symbol: 'β', color: '#3b82f6' },
  { name: 'gamma', loHz: 30, hiHz: 50, symbol: 'γ', color: '#f59e0b' },
  { name: 'high_gamma', loHz: 50, hiHz: 100, symbol: 'γ+', color: '#ef4444' },
]);

export const DELTA = 0, THETA = 1, ALPHA = 2, BETA = 3, GAMMA = 4, HIGH_GAMMA = 5;
export const BAND_COUNT = 6;
