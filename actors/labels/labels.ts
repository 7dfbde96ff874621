// Labels: text moments on the EEG timeline (notes §8.1), searchable by their words and by the EEG
// recorded around them. Owns labels.sqlite, the three label indices (text, context, EEG) and the
// window lookup the similarity search uses to say which labels a moment falls in.
//
// Every change to an index goes through one queue, so a rebuild never races an edit: an edit
// made during a rebuild is applied to the rebuilt index. Searches read whatever index is current.
// Indices load (or rebuild) in the background after start-up; the routes wait for that.
//
// Vectors record the text model that made them (`embedding_model`), which is whatever model is
// in use when they are made, never a fixed name.
import fs from 'node:fs';
import path from 'node:path';
import type { TextEmbeddingModel } from '../embeddings/textEncoder.ts';
import { textModel as builtinTextModel } from '../embeddings/textEncoder.ts';
import type { StoredEmbedding } from '../embeddings/embeddingEvents.ts';
import type { DaemonLog } from '../log.ts';
import { readReembedConfig } from '../reembed/reembedConfig.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { vectorToBlob } from '../store/vectorBlob.ts';
import { buildEegIndex, EEG_TAG, eegIndexPath, eegNodeOf, windowEmbeddings } from './eegIndex.ts';
import { EEG_WINDOW_PAD_SECS, EegWindowReader, meanDirection } from './eegWindowReader.ts';
import { LabelIndex, sidecarOf } from './labelIndex.ts';
import { reembedLabels } from './labelReembed.ts';
import { entryOf, neighborOf, windowMetrics, type LabelEntry, type LabelNeighbor } from './labelShapes.ts';
import { LabelStore, type LabelRow } from './labelStore.ts';
import { LabelWindows, type LabelRef } from './labelWindows.ts';
import { TimeSlice } from './timeSlice.ts';
import { buildIndex, currentVectors, openTextIndices, CONTEXT_INDEX_FILE, TEXT_INDEX_FILE, type TextField, type TextIndices } from './textIndices.ts';

/** How long new embeddings are collected before the EEG nodes of the labels they touch are redone. */
const EEG_REFRESH_DELAY_MS = 2_000;

export interface LabelsDeps {
  dataDir: string;
  log: DaemonLog;
  settings: SettingsStore;
  /** The text model in use (default: the one `encodeText` uses). */
  textModel?: () => Promise<TextEmbeddingModel>;
}

export class LabelNotFound extends Error {
  constructor(readonly id: number | string) {
    super(`no label with id ${id}`);
  }
}

export class LabelsBusy extends Error {}

export class TextModelUnavailable extends Error {}

export interface NewLabelInput {
  text: string;
  context?: string;
  labelStartUtc?: number;
  labelEndUtc?: number;
  eegStart?: number;
  eegEnd?: number;
}

export interface LabelEdit {
  text: string;
  context?: string;
  eegStart?: number;
  eegEnd?: number;
}

export interface IndexCounts {
  text_nodes: number;
  context_nodes: number;
  eeg_nodes: number;
  /** Labels with no EEG node: no embedding stored in their window (±30 s), or no window. */
  eeg_skipped: number;
}

export class Labels {
  readonly #store: LabelStore;
  readonly #windows = new LabelWindows();
  readonly #dataDir: string;
  readonly #log: DaemonLog;
  readonly #settings: SettingsStore;
  readonly #textModel: () => Promise<TextEmbeddingModel>;
  #text: TextIndices | null = null;
  #eeg: LabelIndex | null = null;
  #ready: Promise<void> = Promise.resolve();
  #queue: Promise<unknown> = Promise.resolve();
  #reembedding = false;
  /** Labels whose window received new embeddings since their EEG node was made. */
  readonly #dirtyEeg = new Set<number>();
  /** Embeddings of another dimension than the EEG index arrived: the index is rebuilt. */
  #eegDimChanged = false;
  #refreshTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #revision = 0;

  constructor(deps: LabelsDeps) {
    this.#dataDir = deps.dataDir;
    this.#log = deps.log;
    this.#settings = deps.settings;
    this.#textModel = deps.textModel ?? builtinTextModel;
    this.#store = new LabelStore(deps.dataDir);
    this.#windows.reset(this.#allRows());
  }

  /** Loads the indices (rebuilding any that is missing, corrupt or stale) in the background. */
  start(): void {
    this.#ready = this.#serial(() => this.#open());
    this.#ready.catch((err) => this.#log.error('labels', `label indices failed to open: ${(err as Error).stack ?? err}`));
  }

  // ---- CRUD ---------------------------------------------------------------------------------

  /** Newest first. */
  list(limit: number, offset: number): { items: LabelEntry[]; total: number } {
    return { items: this.#store.list(limit, offset).map(entryOf), total: this.#store.count() };
  }

  async create(input: NewLabelInput): Promise<LabelEntry> {
    const labelStart = input.labelStartUtc ?? Date.now() / 1000;
    const labelEnd = input.labelEndUtc ?? labelStart;
    const eegStart = input.eegStart ?? labelStart;
    const eegEnd = input.eegEnd ?? Math.max(eegStart, labelEnd);
    const context = input.context ?? '';
    const { model, text, context: contextVector } = await this.#embed(input.text, context);
    return this.#serial(async () => {
      await this.#ensureTextModel(model);
      const id = this.#store.insert({
        text: input.text,
        context,
        // Whole seconds, as the reference's INTEGER columns hold; the EEG window only ever widens.
        eegStart: Math.floor(eegStart),
        eegEnd: Math.ceil(eegEnd),
        labelStart: Math.floor(labelStart),
        labelEnd: Math.floor(labelEnd),
        createdAt: Math.floor(Date.now() / 1000),
        textEmbedding: vectorToBlob(text),
        contextEmbedding: contextVector ? vectorToBlob(contextVector) : null,
        model: model.name,
      });
      const row = this.#store.get(id)!;
      this.#indexLabel(row, text, contextVector);
      return entryOf(row);
    });
  }

  async update(id: number, edit: LabelEdit): Promise<void> {
    if (!this.#store.get(id)) throw new LabelNotFound(id);
    const context = edit.context ?? '';
    const { model, text, context: contextVector } = await this.#embed(edit.text, context);
    await this.#serial(async () => {
      await this.#ensureTextModel(model);
      const changed = this.#store.update(id, {
        text: edit.text,
        context,
        eegStart: edit.eegStart === undefined ? null : Math.floor(edit.eegStart),
        eegEnd: edit.eegEnd === undefined ? null : Math.ceil(edit.eegEnd),
        textEmbedding: vectorToBlob(text),
        contextEmbedding: contextVector ? vectorToBlob(contextVector) : null,
        model: model.name,
      });
      if (!changed) throw new LabelNotFound(id);
      this.#indexLabel(this.#store.get(id)!, text, contextVector);
    });
  }

  async remove(id: number): Promise<void> {
    await this.#serial(() => {
      if (!this.#store.delete(id)) throw new LabelNotFound(id);
      this.#revision++;
      this.#windows.set(id, null);
      this.#dirtyEeg.delete(id);
      const touched = [this.#text?.text, this.#text?.context, this.#eeg].filter((ix): ix is LabelIndex => !!ix && ix.remove(id));
      for (const ix of touched) ix.save();
    });
  }

  // ---- search -------------------------------------------------------------------------------

  async search(query: string, k: number, ef: number, mode: TextField): Promise<LabelNeighbor[]> {
    await this.#opened();
    const { model, text } = await this.#embed(query, '');
    if (!this.#fitsModel(model)) await this.#serial(() => this.#ensureTextModel(model));
    const index = this.#text?.[mode];
    if (!index) return [];
    return this.#neighbors(index.search(text, k, ef));
  }

  /**
   * Labels whose EEG is nearest the EEG of [startS, endS] (its mean embedding, ±30 s as for
   * labels). `error` says why there are no results when there is nothing to compare.
   */
  async searchByEeg(startS: number, endS: number, k: number, ef: number): Promise<{ results: LabelNeighbor[]; error?: string }> {
    await this.#opened();
    const index = this.#eeg;
    if (!index || index.size === 0) return { results: [], error: 'no label has EEG data' };
    const reader = new EegWindowReader(this.#dataDir);
    let query: Float32Array | null;
    try {
      query = meanDirection(windowEmbeddings(reader, { eeg_start: startS, eeg_end: endS }), index.dim);
    } finally {
      reader.close();
    }
    if (!query) return { results: [], error: 'no EEG data in window' };
    return { results: this.#neighbors(index.search(query, k, ef)) };
  }

  /**
   * Labels nearest a query by their text, as the hooks look them up: id, text, window and
   * distance, without the window metrics a search result carries.
   */
  async nearestByText(query: string, k: number, ef: number): Promise<Array<LabelRef & { distance: number }>> {
    await this.#opened();
    const { model, text } = await this.#embed(query, '');
    if (!this.#fitsModel(model)) await this.#serial(() => this.#ensureTextModel(model));
    const index = this.#text?.text;
    if (!index) return [];
    return index.search(text, k, ef).flatMap((h) => {
      const w = this.#windows.get(h.id);
      return w ? [{ ...w, distance: h.distance }] : [];
    });
  }

  /** A label's EEG node: the mean direction of the embeddings stored in its window ±30 s; null when it has none. */
  eegNodeOf(id: number): Float32Array | null {
    const v = this.#eeg?.vectorOf(id);
    return v ? Float32Array.from(v) : null;
  }

  /** For each time (unix seconds), the labels whose EEG window contains it. */
  labelsAt(unixSecs: readonly number[]): LabelRef[][] {
    return unixSecs.map((t) => this.#windows.at(t));
  }

  /** Labels whose EEG window, widened by `padSecs` each side, holds `t` (unix seconds). */
  labelsNear(t: number, padSecs: number): LabelRef[] {
    return this.#windows.at(t, padSecs);
  }

  /** Counts every change to the labels or their text vectors: a cached answer older than it is stale. */
  get revision(): number {
    return this.#revision;
  }

  /** Texts embedded by the label text model (the one the text index was built with). */
  async encode(texts: string[]): Promise<Float32Array[]> {
    return encodeWith(await this.#model(), texts);
  }

  // ---- embeddings and indices -----------------------------------------------------------------

  /** Every label's text and context embedded again by the current model; then the text indices rebuilt. */
  async reembed(): Promise<{ ok: true; total: number; updated: number; model: string }> {
    if (this.#reembedding) throw new LabelsBusy('a label re-embedding is already running');
    this.#reembedding = true;
    try {
      await this.#opened();
      const model = await this.#model();
      const config = readReembedConfig(this.#settings);
      const { total, updated } = await reembedLabels(this.#store, model, { batchSize: config.batch_size, batchDelayMs: config.batch_delay_ms });
      await this.#serial(() => this.#rebuildText(model));
      this.#log.info('labels', `re-embedded ${updated} of ${total} labels with ${model.name}`);
      return { ok: true, total, updated, model: model.name };
    } finally {
      this.#reembedding = false;
    }
  }

  async embeddingStatus() {
    const model = await this.#model();
    const models = this.#store.modelCounts();
    const total = Object.values(models).reduce((a, n) => a + n, 0);
    return { current_model: model.name, dim: model.dim, lexical: model.lexical, total, stale: total - (models[model.name] ?? 0), models };
  }

  async stats() {
    await this.#opened();
    return {
      ...this.#counts(),
      text_model: this.#text?.text.tag ?? null,
      text_dim: this.#text?.text.dim ?? null,
      eeg_dim: this.#eeg?.dim ?? null,
      reembedding: this.#reembedding,
    };
  }

  /** All three indices built again from labels.sqlite and the day databases. */
  async rebuild(): Promise<IndexCounts & { ok: true }> {
    await this.#opened();
    return this.#serial(async () => {
      const model = await this.#model();
      await this.#rebuildText(model);
      await this.#rebuildEeg();
      return { ok: true as const, ...this.#counts() };
    });
  }

  /** Every stored epoch embedding: the EEG nodes of labels it falls near are redone shortly after. */
  readonly onEegStored = (e: StoredEmbedding): void => {
    if (this.#closed) return;
    const touched = this.#windows.at(e.timestampMs / 1000, EEG_WINDOW_PAD_SECS);
    if (this.#eeg && e.vector.length !== this.#eeg.dim) this.#eegDimChanged = true;
    else if (touched.length === 0) return;
    for (const w of touched) this.#dirtyEeg.add(w.id);
    this.#refreshTimer ??= setTimeout(() => {
      this.#refreshTimer = null;
      void this.#serial(() => this.#refreshEeg()).catch((err) => this.#log.warn('labels', `EEG node refresh failed: ${(err as Error).message}`));
    }, EEG_REFRESH_DELAY_MS);
    this.#refreshTimer.unref();
  };

  /** Finishes queued index work (pending EEG refreshes included) and closes labels.sqlite. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#refreshTimer) {
      clearTimeout(this.#refreshTimer);
      this.#refreshTimer = null;
      await this.#serial(() => this.#refreshEeg()).catch(() => undefined);
    }
    await this.#queue.catch(() => undefined);
    this.#store.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Start-up loading finished (a failure was logged; what could not load is made on first use). */
  #opened(): Promise<void> {
    return this.#ready.catch(() => undefined);
  }

  #serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const next = this.#queue.then(() => fn());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #model(): Promise<TextEmbeddingModel> {
    try {
      return await this.#textModel();
    } catch (err) {
      throw new TextModelUnavailable(`the text embedding model could not be loaded: ${(err as Error).message}`);
    }
  }

  async #embed(text: string, context: string): Promise<{ model: TextEmbeddingModel; text: Float32Array; context: Float32Array | null }> {
    const model = await this.#model();
    const withContext = context.trim() !== '';
    const vectors = await encodeWith(model, withContext ? [text, context] : [text]);
    return { model, text: vectors[0]!, context: withContext ? vectors[1]! : null };
  }


  async #open(): Promise<void> {
    // EEG first: it needs no text model, so a model that fails to load costs text search only.
    const loaded = LabelIndex.load(eegIndexPath(this.#dataDir));
    if ('index' in loaded && loaded.index.tag === EEG_TAG) {
      this.#eeg = loaded.index;
      await this.#topUpEeg();
    } else {
      if ('corrupt' in loaded) this.#log.warn('labels', `label_eeg_index.hnsw corrupt (${loaded.corrupt}): rebuilding it`);
      await this.#rebuildEeg();
    }
    // With no label yet there is nothing to index: the text model (building the built-in one
    // takes a few hundred milliseconds) loads with the first label or text search instead, which
    // finds no text indices and builds them for that model.
    if (this.#store.count() === 0) {
      this.#log.info('labels', 'label indices ready: no labels yet (the text model loads with the first label or text search)');
      return;
    }
    const model = await this.#model();
    this.#text = await openTextIndices(this.#dataDir, this.#store, model, (m) => this.#log.warn('labels', m));
    const c = this.#counts();
    this.#log.info('labels', `label indices ready: ${c.text_nodes} text, ${c.context_nodes} context, ${c.eeg_nodes} EEG nodes (${c.eeg_skipped} labels without EEG)`);
  }

  /** A model change since the text indices were built makes them useless: rebuild for the new one. */
  async #ensureTextModel(model: TextEmbeddingModel): Promise<void> {
    if (!this.#fitsModel(model)) await this.#rebuildText(model);
  }

  #fitsModel(model: TextEmbeddingModel): boolean {
    return !!this.#text && this.#text.text.tag === model.name && this.#text.text.dim === model.dim;
  }

  async #rebuildText(model: TextEmbeddingModel): Promise<void> {
    const vectors = await currentVectors(this.#store, model);
    const text = await buildIndex(path.join(this.#dataDir, TEXT_INDEX_FILE), model, vectors.text);
    const context = await buildIndex(path.join(this.#dataDir, CONTEXT_INDEX_FILE), model, vectors.context);
    text.save();
    context.save();
    this.#text = { text, context };
    this.#revision++;
  }

  async #rebuildEeg(): Promise<void> {
    const reader = new EegWindowReader(this.#dataDir);
    try {
      this.#windows.reset(this.#allRows());
      const built = await buildEegIndex(this.#dataDir, this.#windows.all(), reader);
      this.#eeg = built.index;
      this.#eegDimChanged = false;
      this.#dirtyEeg.clear();
      if (built.index) built.index.save();
      else for (const f of [eegIndexPath(this.#dataDir), sidecarOf(eegIndexPath(this.#dataDir))]) fs.rmSync(f, { force: true });
    } finally {
      reader.close();
    }
  }

  /**
   * After loading a persisted EEG index: nodes of labels deleted meanwhile are dropped, and labels
   * without a node get one if their window now holds embeddings (data embedded since).
   */
  async #topUpEeg(): Promise<void> {
    const eeg = this.#eeg!;
    const known = new Set(this.#windows.all().map((w) => w.id));
    let changed = false;
    for (const id of [...eeg.ids()]) if (!known.has(id)) changed = eeg.remove(id) || changed;
    const reader = new EegWindowReader(this.#dataDir);
    const slice = new TimeSlice();
    try {
      for (const w of this.#windows.all()) {
        if (eeg.has(w.id)) continue;
        const node = eegNodeOf(reader, w, eeg.dim);
        if (node) changed = eeg.add(w.id, node) || changed;
        await slice.pause();
      }
    } finally {
      reader.close();
    }
    if (changed) eeg.save();
  }

  async #refreshEeg(): Promise<void> {
    if (this.#eegDimChanged) {
      this.#log.info('labels', 'embeddings of a new dimension arrived: rebuilding the label EEG index');
      await this.#rebuildEeg();
      return;
    }
    if (this.#dirtyEeg.size === 0) return;
    const ids = [...this.#dirtyEeg];
    this.#dirtyEeg.clear();
    const reader = new EegWindowReader(this.#dataDir);
    let changed = false;
    try {
      for (const id of ids) {
        const w = this.#windows.get(id);
        if (!w) continue;
        changed = this.#setEegNode(w, reader) || changed;
      }
    } finally {
      reader.close();
    }
    if (changed) this.#eeg?.save();
  }

  /** Puts a label's EEG node in step with its window; true when the index changed. */
  #setEegNode(w: LabelRef, reader: EegWindowReader): boolean {
    const vectors = windowEmbeddings(reader, w);
    if (!this.#eeg) {
      // The first label with EEG data fixes the index's dimension.
      const first = vectors[0];
      if (!first) return false;
      this.#eeg = LabelIndex.empty(eegIndexPath(this.#dataDir), first.length, EEG_TAG);
    }
    const node = meanDirection(vectors, this.#eeg.dim);
    return node ? this.#eeg.add(w.id, node) : this.#eeg.remove(w.id);
  }

  /** Puts a new or edited label into the windows and every index, and saves what changed. */
  #indexLabel(row: LabelRow, text: Float32Array, context: Float32Array | null): void {
    this.#revision++;
    this.#windows.set(row.id, row);
    this.#dirtyEeg.delete(row.id);
    const changed = new Set<LabelIndex>();
    if (this.#text) {
      if (this.#text.text.add(row.id, text)) changed.add(this.#text.text);
      const c = this.#text.context;
      if (context ? c.add(row.id, context) : c.remove(row.id)) changed.add(c);
    }
    const w = this.#windows.get(row.id);
    const eegBefore = this.#eeg;
    const reader = new EegWindowReader(this.#dataDir);
    try {
      const eegChanged = w ? this.#setEegNode(w, reader) : !!this.#eeg?.remove(row.id);
      if (eegChanged && this.#eeg) changed.add(this.#eeg);
    } finally {
      reader.close();
    }
    if (eegBefore !== this.#eeg && this.#eeg) changed.add(this.#eeg);
    for (const ix of changed) ix.save();
  }

  #neighbors(hits: ReadonlyArray<{ id: number; distance: number }>): LabelNeighbor[] {
    const reader = new EegWindowReader(this.#dataDir);
    try {
      const out: LabelNeighbor[] = [];
      for (const h of hits) {
        const row = this.#store.get(h.id);
        if (!row) continue;
        const metrics = row.eeg_start !== null && row.eeg_end !== null ? windowMetrics(reader.metrics(row.eeg_start, row.eeg_end)) : null;
        out.push(neighborOf(row, h.distance, metrics));
      }
      return out;
    } finally {
      reader.close();
    }
  }

  #counts(): IndexCounts {
    const eegNodes = this.#eeg?.size ?? 0;
    return {
      text_nodes: this.#text?.text.size ?? 0,
      context_nodes: this.#text?.context.size ?? 0,
      eeg_nodes: eegNodes,
      eeg_skipped: Math.max(0, this.#store.count() - eegNodes),
    };
  }

  *#allRows(): Generator<LabelRow> {
    for (let after = 0; ; ) {
      const rows = this.#store.rowsAfter(after, 1000);
      if (rows.length === 0) return;
      yield* rows;
      after = rows.at(-1)!.id;
    }
  }
}

async function encodeWith(model: TextEmbeddingModel, texts: string[]): Promise<Float32Array[]> {
  try {
    return await model.encode(texts);
  } catch (err) {
    throw new TextModelUnavailable(`the text embedding model failed: ${(err as Error).message}`);
  }
}
