// In-process notice of every epoch embedding the daemon has stored, for subsystems that keep
// their own view of the embeddings (the global similarity index). Listeners run synchronously
// after the vector has been handed to the recorder's writer thread; they must not modify it.
import type { EpochMetrics } from '../store/epochMetrics.ts';

export interface StoredEmbedding {
  /** Unix ms: the `timestamp` of the epoch's row. */
  timestampMs: number;
  /** The day folder whose eeg.sqlite holds the row. */
  dayDir: string;
  vector: Float32Array;
  deviceName: string;
  /** Encoder family that produced it. */
  model: string;
  /** The epoch's metric record: present for live epochs only, not for re-embedded history (hooks evaluate live ones). */
  metrics?: EpochMetrics;
}

export type StoredListener = (e: StoredEmbedding) => void;

export class EmbeddingEvents {
  readonly #listeners = new Set<StoredListener>();

  onStored(listener: StoredListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emitStored(e: StoredEmbedding): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // A failing listener must not cost the others their notice, nor the encoder its epoch.
      }
    }
  }
}
