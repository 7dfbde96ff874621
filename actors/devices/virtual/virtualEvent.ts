// What the virtual headset did, with its time: the ground truth a test or a benchmark checks a
// detector against (the blink counter, the nod detector, the signal-quality monitor).

export type VirtualEvent =
  | { kind: 'blink'; tMs: number; durationMs: number; amplitudeUv: number }
  | { kind: 'dropout'; tMs: number; durationMs: number; channel: string; mode: 'flat' | 'rail' }
  | { kind: 'emg'; tMs: number; durationMs: number }
  | { kind: 'beat'; tMs: number }
  | { kind: 'nod'; tMs: number; durationMs: number; pitchDeg: number };

/** Times are ms since the headset was switched on (add the stream's start time for unix ms). */
export type VirtualEventSink = (event: VirtualEvent) => void;
