// The LSL clock. Timestamps on the wire are seconds of the sender's `lsl_local_clock()`, which
// on Linux is CLOCK_MONOTONIC (time since boot), not Unix time. Node's hrtime reads the same
// clock, so a TS outlet on Linux stamps samples exactly as a liblsl outlet on the same host would.

/** Seconds of the monotonic clock, as liblsl's `lsl_local_clock()`. */
export function lslLocalClock(): number {
  // hrtime() keeps seconds and nanoseconds apart, so the sum stays exact to the nanosecond
  // well past the 104 days of uptime where a single float of nanoseconds would start rounding.
  const [seconds, nanoseconds] = process.hrtime();
  return seconds + nanoseconds / 1e9;
}
