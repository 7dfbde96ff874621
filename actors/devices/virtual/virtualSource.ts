// The virtual headset as a DeviceSource: opens at once and streams frames in real time from a
// timer. Chunks are cut on a fixed tick grid of stream time (62.5 ms = 16 samples at 256 Hz), so
// the real-time stream has the same samples as `generate()` with the same seed, and the same
// chunks too as long as no timer fires late (a late tick emits several ticks' worth at once).
//
// Timing: ticks are scheduled against a monotonic clock (performance.now), not by counting
// timer callbacks, so late timers never accumulate into drift; after an event-loop stall the
// next tick emits everything that came due. A stall longer than `maxCatchUpMs` is treated like
// packets lost on the air: the frame clock jumps over the gap and the signal resumes, instead
// of producing minutes of backlog in one burst. Frame times are the unix time at open plus
// stream time; a wall-clock step (NTP) does not make the headset speed up or pause.
import type { DeviceConnection, DeviceSource, SourceFrame, SourceHandlers } from '../source.ts';
import { DEFAULT_CHUNK_MS, virtualHeadset } from './virtualHeadset.ts';
import { resolveVirtualOptions, type VirtualSourceOptions } from './virtualOptions.ts';

export interface VirtualTiming {
  /** Chunk period; default 62.5 ms. */
  tickMs?: number;
  /** Longest backlog emitted after a stall; older samples are skipped. Default 1000 ms. */
  maxCatchUpMs?: number;
}

/**
 * A source for the virtual headset. Options are validated here (a ZodError for bad ones), so a
 * route can build the source before answering; each `open` starts a fresh, identical stream.
 */
export function virtualSource(options: VirtualSourceOptions = {}, timing: VirtualTiming = {}): DeviceSource {
  const settings = resolveVirtualOptions(options);
  const tickMs = timing.tickMs ?? DEFAULT_CHUNK_MS;
  const maxCatchUpMs = Math.max(tickMs, timing.maxCatchUpMs ?? 1000);

  return {
    async open(handlers: SourceHandlers, signal: AbortSignal): Promise<DeviceConnection> {
      if (signal.aborted) throw new Error('Connect cancelled');
      const startPerf = performance.now();
      const headset = virtualHeadset(settings, { startMs: Date.now() });
      let timer: NodeJS.Timeout | undefined;
      let running = true;

      const stop = () => {
        running = false;
        if (timer) clearTimeout(timer);
        timer = undefined;
      };
      const emit = (frame: SourceFrame) => {
        if (running) handlers.frame(frame);
      };
      const tick = () => {
        timer = undefined;
        if (!running) return;
        const elapsed = performance.now() - startPerf;
        // Stream time to reach, on the tick grid; skip whole ticks beyond the catch-up cap.
        const behind = elapsed - headset.skippedMs - headset.streamedMs;
        if (behind > maxCatchUpMs) headset.skip(Math.floor((behind - maxCatchUpMs) / tickMs) * tickMs);
        const target = Math.floor((elapsed - headset.skippedMs) / tickMs + 1e-9) * tickMs;
        try {
          headset.advanceTo(target, emit);
        } catch (err) {
          // A frame handler (or the synthesis) threw: stop streaming and report it as the end of
          // the stream, so the device actor sees it, rather than letting the exception escape a
          // timer callback and take the whole daemon down.
          stop();
          handlers.ended(`virtual stream stopped: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        if (running && settings.battery_drain_pct_per_hour > 0 && headset.batteryPct <= 0) {
          stop();
          handlers.ended('battery depleted');
          return;
        }
        if (!running) return;
        const nextAt = startPerf + headset.skippedMs + target + tickMs;
        timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
      };
      timer = setTimeout(tick, tickMs);

      return {
        info: headset.info,
        close: async () => stop(),
      };
    },
  };
}
