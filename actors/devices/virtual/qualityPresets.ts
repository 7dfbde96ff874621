// What the reference's `quality` field ("good" | "fair" | "poor") changes. Worse contact means
// higher electrode impedance, which raises broadband and mains noise and low-frequency drift
// (Ferree et al. 2001, Clin. Neurophysiol. 112:536–544; Kappenman & Luck 2010,
// Psychophysiology 47:888–904), and a restless or badly seated headset adds muscle bursts and
// contact losses. The numbers are chosen to look like those recordings, not measured from them.

export type SignalQuality = 'good' | 'fair' | 'poor';

export interface QualityPreset {
  /** Multiplies `noise_uv`, the white sensor noise. */
  noiseScale: number;
  /** Mains amplitude at each channel when `line_noise` is on (µV). */
  lineNoiseUv: number;
  /** SD of the slow electrode-offset wander (µV). */
  driftUv: number;
  /** Muscle bursts per minute and their amplitude (µV). */
  emgPerMinute: number;
  emgUv: number;
  /** Added to `dropout_prob` (per second). */
  extraDropoutProb: number;
}

export const QUALITY_PRESETS: Record<SignalQuality, QualityPreset> = {
  good: { noiseScale: 1, lineNoiseUv: 5, driftUv: 2, emgPerMinute: 0.5, emgUv: 8, extraDropoutProb: 0 },
  fair: { noiseScale: 2.5, lineNoiseUv: 15, driftUv: 15, emgPerMinute: 3, emgUv: 20, extraDropoutProb: 0.01 },
  poor: { noiseScale: 6, lineNoiseUv: 40, driftUv: 50, emgPerMinute: 8, emgUv: 40, extraDropoutProb: 0.05 },
};
