// Options of the virtual headset. The first eight fields are the body of the reference's
// `POST /v1/lsl/virtual-source/start` (notes §2.6), same names and defaults, so the route can
// validate its body with this schema; the rest are ours (seed, heart, eyes, motion, battery).
import * as z from 'zod';
import { channelNamesFor, MUSE_CHANNELS, type LayoutTemplate } from './channelLayout.ts';
import { DEFAULT_EYES_SCHEDULE, type EyesClosedSchedule } from './eyesSchedule.ts';
import { QUALITY_PRESETS, type QualityPreset, type SignalQuality } from './qualityPresets.ts';

const eyesClosedScheduleSchema = z.union([
  z.object({
    open_s: z.number().min(0).max(3600),
    closed_s: z.number().min(0).max(3600),
    first: z.enum(['open', 'closed']).default('open'),
  }).refine((b) => b.open_s + b.closed_s > 0, { message: 'open_s + closed_s must be positive' }),
  z.array(z.object({ start_s: z.number().min(0), end_s: z.number().min(0) })
    .refine((i) => i.end_s > i.start_s, { message: 'end_s must be after start_s' })).max(1000),
]);

export const virtualSourceOptionsSchema = z.object({
  /** EEG channel count; defaults to the template's (Muse 4) or 32 like the reference. */
  channels: z.number().int().min(1).max(64).optional(),
  sample_rate: z.number().min(64).max(2000).default(256),
  /** Channel layout: 10-10 labels (default), the Muse's four, or Ch1…ChN. */
  template: z.enum(['10-20', 'muse', 'generic']).default('10-20'),
  quality: z.enum(['good', 'fair', 'poor']).default('good'),
  /** Scale of the brain signal: the eyes-open background is about half this, RMS (µV). */
  amplitude_uv: z.number().min(0).max(1000).default(50),
  /** RMS white sensor noise at `quality: "good"` (µV). */
  noise_uv: z.number().min(0).max(1000).default(5),
  line_noise: z.enum(['none', '50hz', '60hz']).default('none'),
  /** Probability per second that a channel starts a dropout. */
  dropout_prob: z.number().min(0).max(1).default(0),

  seed: z.number().int().min(0).max(0xffffffff).default(0x5eed),
  eyes_closed_schedule: eyesClosedScheduleSchema.default(() => ({ ...DEFAULT_EYES_SCHEDULE })),
  blinks_per_minute: z.number().min(0).max(60).default(17),
  ppg: z.boolean().default(true),
  heart_rate_bpm: z.number().min(30).max(220).default(65),
  /** Beat-to-beat variability as RMSSD, split between respiratory sinus arrhythmia and jitter. */
  hrv_rmssd_ms: z.number().min(0).max(200).default(40),
  respiration_rate_bpm: z.number().min(4).max(40).default(15),
  imu: z.boolean().default(true),
  nods_per_minute: z.number().min(0).max(30).default(1),
  battery_start_pct: z.number().min(0).max(100).default(100),
  /** 6 %/h is 1 % every 10 minutes. */
  battery_drain_pct_per_hour: z.number().min(0).max(6000).default(6),
}).refine((o) => o.template !== 'muse' || o.channels === undefined || o.channels === MUSE_CHANNELS.length, {
  message: `template "muse" has ${MUSE_CHANNELS.length} channels`, path: ['channels'],
});

/** What a caller may pass (every field optional). */
export type VirtualSourceOptions = z.input<typeof virtualSourceOptionsSchema>;
/** After validation and defaults. */
export type ParsedVirtualOptions = z.output<typeof virtualSourceOptionsSchema>;

/** Everything the synthesizers need, derived once from the options. */
export interface VirtualSettings extends Omit<ParsedVirtualOptions, 'channels' | 'template' | 'quality' | 'eyes_closed_schedule'> {
  template: LayoutTemplate;
  quality: SignalQuality;
  preset: QualityPreset;
  channelNames: string[];
  lineNoiseHz: 0 | 50 | 60;
  eyesClosedSchedule: EyesClosedSchedule;
}

/** Validates (throws a ZodError on bad input) and resolves the channel layout. */
export function resolveVirtualOptions(options: VirtualSourceOptions = {}): VirtualSettings {
  const o = virtualSourceOptionsSchema.parse(options);
  const { channels, eyes_closed_schedule, ...rest } = o;
  const count = o.template === 'muse' ? MUSE_CHANNELS.length : channels ?? 32;
  return {
    ...rest,
    preset: QUALITY_PRESETS[o.quality],
    channelNames: channelNamesFor(o.template, count),
    lineNoiseHz: o.line_noise === '50hz' ? 50 : o.line_noise === '60hz' ? 60 : 0,
    eyesClosedSchedule: eyes_closed_schedule,
  };
}
