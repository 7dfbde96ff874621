// Screenshot capture settings (`GET/POST /v1/settings/screenshot/config`, notes §8.5), stored
// under the reference's `screenshot` key with its fields and defaults. `interval_secs` is snapped
// to a multiple of 5 s between 5 and 60, as the reference does, so captures line up with the 5 s
// EEG epochs; other fields out of range are refused (the reference gave them no bounds).
//
// OCR: the reference runs Apple Vision on macOS and `ocrs` elsewhere; this daemon's OCR is
// Tesseract, so `ocr_engine` defaults to "tesseract" off macOS and "ocrs" is accepted (stored)
// for clients that send it.
import * as z from 'zod';
import { objectSection } from './settingsSection.ts';

export interface ScreenshotConfig extends Record<string, unknown> {
  enabled: boolean;
  interval_secs: number;
  image_size: number;
  quality: number;
  session_only: boolean;
  embed_backend: string;
  fastembed_model: string;
  ocr_enabled: boolean;
  ocr_engine: 'apple-vision' | 'ocrs' | 'tesseract';
  use_gpu: boolean;
  gif_enabled: boolean;
  gif_frame_count: number;
  gif_frame_delay_ms: number;
  gif_motion_threshold: number;
  gif_max_size_kb: number;
  user_screenshot_enabled: boolean;
  clipboard_image_enabled: boolean;
}

/** 5·k seconds, k = 1…12. */
export function snapInterval(secs: number): number {
  return 5 * Math.min(12, Math.max(1, Math.round(secs / 5)));
}

export const screenshotConfigSection = objectSection<ScreenshotConfig>({
  name: 'screenshot/config',
  key: 'screenshot',
  fields: {
    enabled: z.boolean(),
    interval_secs: z.number().finite().transform(snapInterval).describe('snapped to a multiple of 5 between 5 and 60'),
    image_size: z.number().int().min(64).max(4096),
    quality: z.number().int().min(1).max(100),
    session_only: z.boolean(),
    embed_backend: z.string().min(1).max(64),
    fastembed_model: z.string().min(1).max(256),
    ocr_enabled: z.boolean(),
    ocr_engine: z.enum(['apple-vision', 'ocrs', 'tesseract']),
    use_gpu: z.boolean(),
    gif_enabled: z.boolean(),
    gif_frame_count: z.number().int().min(2).max(120),
    gif_frame_delay_ms: z.number().int().min(10).max(10_000),
    gif_motion_threshold: z.number().min(0).max(1),
    gif_max_size_kb: z.number().int().min(16).max(65_536),
    user_screenshot_enabled: z.boolean(),
    clipboard_image_enabled: z.boolean(),
  },
  defaults: {
    enabled: false,
    interval_secs: 5,
    image_size: 768,
    quality: 60,
    session_only: true,
    embed_backend: 'fastembed',
    fastembed_model: 'nomic-embed-vision-v1.5',
    ocr_enabled: true,
    ocr_engine: process.platform === 'darwin' ? 'apple-vision' : 'tesseract',
    use_gpu: true,
    gif_enabled: false,
    gif_frame_count: 15,
    gif_frame_delay_ms: 100,
    gif_motion_threshold: 0.05,
    gif_max_size_kb: 2048,
    user_screenshot_enabled: false,
    clipboard_image_enabled: false,
  },
});
