// The LLM catalog's normalised format (notes §9.2), as stored in `<data>/llm_catalog.json` and
// bundled in defaultLlmCatalog.ts, and what file names say about a model: its quantisation and,
// for a split GGUF (`name-00001-of-00003.gguf`, llama.cpp's gguf-split naming), its shards.
export interface LlmFamily {
  name: string;
  description: string;
  repo: string;
  tags: string[];
  is_mmproj?: boolean;
  params_b: number;
  max_context_length: number;
}

export interface LlmModelFile {
  family: string;
  /** The file to load: the only file, or the first shard. */
  filename: string;
  quant: string;
  size_gb: number;
  description: string;
  /** The family's repo unless set. */
  repo?: string;
  recommended?: boolean;
  advanced?: boolean;
  /** Every shard of a split model, the first being `filename`. */
  shard_files?: string[];
}

export interface LlmCatalogFile {
  active_model: string | null;
  active_mmproj: string | null;
  families: Record<string, LlmFamily>;
  models: LlmModelFile[];
}

/** Where a model file is, as the reference reports it (notes §9.2). */
export type LlmDownloadState = 'not_downloaded' | 'downloading' | 'paused' | 'downloaded' | 'failed' | 'cancelled';

const SHARD = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** The shards of a split model named by any of them, in order; null for a single file. */
export function shardFilesOf(filename: string): string[] | null {
  const m = SHARD.exec(filename);
  if (!m) return null;
  const total = Number(m[3]);
  if (total < 1) return null;
  return Array.from({ length: total }, (_, i) => `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`);
}

/** `Q4_K_M`, `Q8_0`, `IQ3_XS`, `F16`, `BF16`, `F32` from a file name; `unknown` when it says none. */
export function quantOf(filename: string): string {
  const base = filename.replace(/-\d{5}-of-\d{5}(?=\.gguf$)/i, '');
  const m = /[-_.](I?Q\d(?:_[A-Z0-9]+)*|BF16|F16|F32)\.gguf$/i.exec(base);
  return m ? m[1]!.toUpperCase() : 'unknown';
}

export const isMmprojName = (filename: string) => /mmproj/i.test(filename);
