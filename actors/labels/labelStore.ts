// Reads and writes of labels.sqlite, as prepared statements made once. Every method is one
// statement or one transaction; the indices and embeddings are labels.ts's business.
import type { Statement } from 'better-sqlite3';
import { openLabelsDb, type LabelsDb } from './labelsSchema.ts';

/** A label without its vectors. Times are unix seconds; null in rows a reference-era writer left empty. */
export interface LabelRow {
  id: number;
  text: string;
  context: string;
  eeg_start: number | null;
  eeg_end: number | null;
  wall_start: number | null;
  wall_end: number | null;
  label_start: number | null;
  label_end: number | null;
  created_at: number | null;
  embedding_model: string | null;
}

export interface LabelVectors {
  id: number;
  text_embedding: Buffer | null;
  context_embedding: Buffer | null;
  embedding_model: string | null;
}

export interface NewLabel {
  text: string;
  context: string;
  eegStart: number;
  eegEnd: number;
  labelStart: number;
  labelEnd: number;
  createdAt: number;
  textEmbedding: Buffer | null;
  contextEmbedding: Buffer | null;
  model: string | null;
}

export interface LabelChange {
  text: string;
  context: string;
  eegStart: number | null;
  eegEnd: number | null;
  textEmbedding: Buffer | null;
  contextEmbedding: Buffer | null;
  model: string | null;
}

const ROW = `id, text, coalesce(context, '') AS context, eeg_start, eeg_end, wall_start, wall_end, label_start, label_end, created_at, embedding_model`;

export class LabelStore {
  readonly #db: LabelsDb;
  readonly #list: Statement<[number, number]>;
  readonly #get: Statement<[number]>;
  readonly #count: Statement<[]>;
  readonly #insert: Statement<unknown[]>;
  readonly #update: Statement<unknown[]>;
  readonly #setVectors: Statement<unknown[]>;
  readonly #delete: Statement<[number]>;
  readonly #rowsAfter: Statement<[number, number]>;
  readonly #vectorsAfter: Statement<[number, number]>;
  readonly #vectorsOf: Statement<[number]>;
  readonly #models: Statement<[]>;

  constructor(dataDir: string) {
    const db = (this.#db = openLabelsDb(dataDir));
    this.#list = db.prepare(`SELECT ${ROW} FROM labels ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`);
    this.#get = db.prepare(`SELECT ${ROW} FROM labels WHERE id = ?`);
    this.#count = db.prepare('SELECT count(*) AS n FROM labels');
    this.#insert = db.prepare(
      `INSERT INTO labels (text, context, eeg_start, eeg_end, wall_start, wall_end, label_start, label_end, created_at, text_embedding, context_embedding, embedding_model)
       VALUES (@text, @context, @eegStart, @eegEnd, @labelStart, @labelEnd, @labelStart, @labelEnd, @createdAt, @textEmbedding, @contextEmbedding, @model)`,
    );
    this.#update = db.prepare(
      `UPDATE labels SET text = @text, context = @context, eeg_start = coalesce(@eegStart, eeg_start), eeg_end = coalesce(@eegEnd, eeg_end),
         text_embedding = @textEmbedding, context_embedding = @contextEmbedding, embedding_model = @model WHERE id = @id`,
    );
    this.#setVectors = db.prepare(
      `UPDATE labels SET text_embedding = ?, context_embedding = ?, embedding_model = ? WHERE id = ? AND text = ? AND coalesce(context, '') = ?`,
    );
    this.#delete = db.prepare('DELETE FROM labels WHERE id = ?');
    this.#rowsAfter = db.prepare(`SELECT ${ROW} FROM labels WHERE id > ? ORDER BY id LIMIT ?`);
    this.#vectorsAfter = db.prepare('SELECT id, text_embedding, context_embedding, embedding_model FROM labels WHERE id > ? ORDER BY id LIMIT ?');
    this.#vectorsOf = db.prepare('SELECT id, text_embedding, context_embedding, embedding_model FROM labels WHERE id = ?');
    this.#models = db.prepare(`SELECT coalesce(embedding_model, '(none)') AS model, count(*) AS n FROM labels GROUP BY 1`);
  }

  /** Newest first (by creation time, then id). */
  list(limit: number, offset: number): LabelRow[] {
    return this.#list.all(limit, offset) as LabelRow[];
  }

  get(id: number): LabelRow | null {
    return (this.#get.get(id) as LabelRow | undefined) ?? null;
  }

  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  insert(label: NewLabel): number {
    return Number(this.#insert.run(label).lastInsertRowid);
  }

  /** False when there is no such label. A null window bound leaves the stored one. */
  update(id: number, change: LabelChange): boolean {
    return this.#update.run({ id, ...change }).changes > 0;
  }

  /**
   * Replaces the vectors of many labels in one transaction. A label deleted, or edited since its
   * text was read, is left alone: its vectors would describe text it no longer has.
   */
  setVectors(rows: ReadonlyArray<{ id: number; text: string; context: string; textVector: Buffer | null; contextVector: Buffer | null; model: string }>): number {
    return this.#db.transaction(() =>
      rows.reduce((n, r) => n + this.#setVectors.run(r.textVector, r.contextVector, r.model, r.id, r.text, r.context).changes, 0),
    )();
  }

  delete(id: number): boolean {
    return this.#delete.run(id).changes > 0;
  }

  /** Labels in id order after `afterId`, `limit` at a time (for work done in batches). */
  rowsAfter(afterId: number, limit: number): LabelRow[] {
    return this.#rowsAfter.all(afterId, limit) as LabelRow[];
  }

  vectorsAfter(afterId: number, limit: number): LabelVectors[] {
    return this.#vectorsAfter.all(afterId, limit) as LabelVectors[];
  }

  vectorsOf(id: number): LabelVectors | null {
    return (this.#vectorsOf.get(id) as LabelVectors | undefined) ?? null;
  }

  /** Labels per `embedding_model`, `(none)` for labels without one. */
  modelCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.#models.all() as Array<{ model: string; n: number }>) out[r.model] = r.n;
    return out;
  }

  close(): void {
    this.#db.close();
  }
}
