// Sampling and length parameters of one chat completion (the reference's `GenParams`, notes
// §9.4), and how a request's fields become them. The reference read only its own `params`
// object and dropped OpenAI's `max_tokens` (quirk §15.12); here both are honoured: defaults,
// then `params`, then the request's top-level OpenAI fields, the most explicit winning.
export interface GenParams {
  /** 0 is greedy. */
  temperature: number;
  top_k: number;
  top_p: number;
  repeat_penalty: number;
  frequency_penalty: number;
  presence_penalty: number;
  seed: number;
  /** Most tokens to generate; the child lowers it to what the context has room for. */
  max_tokens: number;
  stop: string[];
}

/** The reference's defaults (crates/skill-llm/src/engine/protocol.rs). */
export const DEFAULT_GEN_PARAMS: GenParams = {
  temperature: 0,
  top_k: 40,
  top_p: 0.9,
  repeat_penalty: 1.1,
  frequency_penalty: 0,
  presence_penalty: 0,
  seed: 0xdeadbeef,
  max_tokens: 2048,
  stop: [],
};

/** Fields a request may set, by either name scheme (`params` or OpenAI's top level). */
export interface GenParamsPatch {
  temperature?: number;
  top_k?: number;
  top_p?: number;
  repeat_penalty?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  seed?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[] | null;
}

export function resolveGenParams(...patches: Array<GenParamsPatch | undefined>): GenParams {
  const out: GenParams = { ...DEFAULT_GEN_PARAMS, stop: [] };
  for (const p of patches) {
    if (!p) continue;
    if (p.temperature !== undefined) out.temperature = p.temperature;
    if (p.top_k !== undefined) out.top_k = p.top_k;
    if (p.top_p !== undefined) out.top_p = p.top_p;
    if (p.repeat_penalty !== undefined) out.repeat_penalty = p.repeat_penalty;
    if (p.frequency_penalty !== undefined) out.frequency_penalty = p.frequency_penalty;
    if (p.presence_penalty !== undefined) out.presence_penalty = p.presence_penalty;
    if (p.seed !== undefined) out.seed = p.seed;
    // OpenAI renamed max_tokens to max_completion_tokens; either is accepted.
    const max = p.max_completion_tokens ?? p.max_tokens;
    if (max !== undefined) out.max_tokens = max;
    if (p.stop !== undefined) out.stop = p.stop === null ? [] : typeof p.stop === 'string' ? [p.stop] : [...p.stop];
  }
  return out;
}
