// Event-loop lag as the watchdog reports it: how much later than asked the event loop ran
// perf_hooks' sampling timer.
//
// `monitorEventLoopDelay({ resolution })` arms a timer that fires every `resolution` ms and
// records, at each tick, the time since the previous tick — the resolution itself plus whatever
// held the loop up. So every figure of the histogram includes the sampling interval: an idle
// daemon reads ≈10.4 ms p99 at a 10 ms resolution, and a loop blocked for 50 ms reads ≈60 ms.
// The watchdog reports the delay in excess of the resolution instead, clamped at 0 (a tick can
// come a fraction of a millisecond early), so an idle daemon reads ≈0 and the lag budget counts
// real delay only. Subtracting a constant keeps the order of the samples, so the excess of the
// p99 (or the max) is the p99 (max) of the per-tick excesses; the mean is the same up to ticks
// that came early.
// Measured on Node 20: idle, the smallest delay recorded is 10.08 ms; a 50 ms block reads 59 ms.
// Monitoring agents make the same subtraction (open-telemetry/opentelemetry-js-contrib issue 2794
// lists some).

/** Sampling interval of the delay histogram, in ms. */
export const LAG_RESOLUTION_MS = 10;

/** A histogram figure (ns) as lag beyond the sampling interval, in ms; 0 when it is not a number (an empty histogram's mean). */
export function lagBeyondResolutionMs(histogramNs: number, resolutionMs = LAG_RESOLUTION_MS): number {
  const ms = histogramNs / 1e6 - resolutionMs;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}
