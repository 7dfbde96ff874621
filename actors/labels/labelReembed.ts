// `POST /v1/labels/reembed`: every label's text and context embedded again by the current text
// model, `batch_size` labels at a time with `batch_delay_ms` between batches (the reembed config,
// notes §5.5), so a large label set neither holds the event loop nor the CPU for long.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TextEmbeddingModel } from '../embeddings/textEncoder.ts';
import { vectorToBlob } from '../store/vectorBlob.ts';
import type { LabelStore } from './labelStore.ts';

export interface ReembedPacing {
  batchSize: number;
  batchDelayMs: number;
}

export interface ReembedOutcome {
  total: number;
  updated: number;
}

export async function reembedLabels(store: LabelStore, model: TextEmbeddingModel, pacing: ReembedPacing): Promise<ReembedOutcome> {
  const batch = Math.max(1, pacing.batchSize);
  let total = 0;
  let updated = 0;
  for (let after = 0; ; ) {
    const rows = store.rowsAfter(after, batch);
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    total += rows.length;
    const withContext = rows.filter((r) => r.context.trim() !== '');
    const vectors = await model.encode([...rows.map((r) => r.text), ...withContext.map((r) => r.context)]);
    const contextOf = new Map(withContext.map((r, i) => [r.id, vectors[rows.length + i]!]));
    updated += store.setVectors(
      rows.map((r, i) => {
        const c = contextOf.get(r.id);
        return { id: r.id, text: r.text, context: r.context, textVector: vectorToBlob(vectors[i]!), contextVector: c ? vectorToBlob(c) : null, model: model.name };
      }),
    );
    if (pacing.batchDelayMs > 0) await sleep(pacing.batchDelayMs);
  }
  return { total, updated };
}
