// Where an electrode sits, read from its 10-10 label, and how strongly each simulated
// generator reaches it. Positions are coarse on purpose: the virtual headset only needs
// "frontal vs posterior" and "left vs right" to weight rhythms and artifacts plausibly.

export interface ScalpPosition {
  /** Anterior–posterior: +1 frontopolar … 0 central … −1 occipital. */
  y: number;
  /** Left–right: −1 far left … 0 midline … +1 far right. */
  x: number;
  /** False for labels that are not 10-10 electrodes (`Ch3`): they get neutral weights. */
  known: boolean;
}

// Longest prefixes first so `FT` is not read as `F`, `TP` as `T`, `PO` as `P`.
const ROWS: Array<[prefix: string, y: number]> = [
  ['Fp', 1.0], ['AF', 0.8], ['FT', 0.4], ['FC', 0.4], ['F', 0.6], ['TP', -0.4], ['T', 0], ['CP', -0.4],
  ['C', 0], ['PO', -0.8], ['P', -0.6], ['O', -1.0], ['I', -1.1],
];

export function scalpPosition(label: string): ScalpPosition {
  for (const [prefix, y] of ROWS) {
    if (!label.startsWith(prefix)) continue;
    const rest = label.slice(prefix.length);
    if (rest === 'z') return { y, x: 0, known: true };
    const n = Number(rest);
    if (!Number.isInteger(n) || n <= 0) break;
    // Odd numbers are on the left, even on the right; 1/2 next to the midline, 9/10 at the ears.
    const side = n % 2 === 1 ? -1 : 1;
    return { y, x: side * Math.min(1, Math.ceil(n / 2) / 5), known: true };
  }
  return { y: 0, x: 0, known: false };
}

/** How much of each simulated generator or artifact a channel picks up (0…1). */
export interface ChannelWeights {
  alpha: number;
  theta: number;
  beta: number;
  blink: number;
  emg: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export function channelWeights(p: ScalpPosition): ChannelWeights {
  if (!p.known) return { alpha: 0.6, theta: 0.6, beta: 0.6, blink: 0.1, emg: 0.5 };
  return {
    // Alpha is largest over parieto-occipital cortex and weakest frontally, and it is the
    // posterior alpha that eye closure raises (Barry et al. 2007, Clin. Neurophysiol.
    // 118:2765–2773). O → 1.0, P → 0.86, C/T → 0.65, F → 0.44, Fp → 0.3; TP9/TP10 → 0.79.
    alpha: clamp01(0.3 + 0.35 * (1 - p.y)),
    // Frontal-midline theta peaks at Fz and falls off laterally and posteriorly
    // (Mitchell et al. 2008, Prog. Neurobiol. 86:156–185).
    theta: 0.35 + 0.65 * Math.exp(-((p.y - 0.55) ** 2) / 0.3) * (1 - 0.6 * Math.abs(p.x)),
    // Rolandic beta is largest over the central strip (Pfurtscheller & Lopes da Silva 1999,
    // Clin. Neurophysiol. 110:1842–1857).
    beta: 0.5 + 0.5 * Math.exp(-(p.y ** 2) / 0.3),
    // Blink potentials are largest at Fp and fall off steeply backwards: roughly half at F, a
    // tenth at C, almost nothing at O (the propagation reviewed by Croft & Barry 2000,
    // Neurophysiol. Clin. 30:5–19; values rounded).
    blink: p.y >= 1 ? 1 : p.y >= 0.8 ? 0.75 : p.y >= 0.6 ? 0.45 : p.y >= 0.4 ? 0.25 : p.y >= 0 ? 0.1 : p.y >= -0.6 ? 0.04 : 0.01,
    // Scalp EMG is strongest at the temporal and frontal edges, over temporalis and frontalis
    // (Goncharova et al. 2003, Clin. Neurophysiol. 114:1580–1593).
    emg: clamp01(0.2 + 0.8 * Math.abs(p.x) + 0.2 * Math.max(0, p.y)),
  };
}
