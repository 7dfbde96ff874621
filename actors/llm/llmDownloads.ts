// LLM model files as a kind of download (notes §9.3), through the shared downloads manager:
// `${HF_ENDPOINT}/<repo>/resolve/main/<file>` into the models folder, one download per shard
// (`llm:<file>`), so pause, resume, retries, verification and resumption after a daemon restart
// are the manager's. This module adds what the reference shows per model: one state for all of
// its shards (`not_downloaded | downloading | paused | downloaded | failed | cancelled`), the
// current shard, and the four `LlmDownload*` events.
import fs from 'node:fs';
import type { EventBus } from '../eventBus.ts';
import { DownloadError } from '../downloads/downloadError.ts';
import type { Downloads } from '../downloads/downloads.ts';
import { isActive, type DownloadView } from '../downloads/downloadView.ts';
import type { LlmCatalog } from './llmCatalog.ts';
import type { LlmDownloadState, LlmModelFile } from './llmCatalogFormat.ts';

export const LLM_KIND = 'llm';
export const llmDownloadId = (file: string) => `${LLM_KIND}:${file}`;

/** A model's download state, as the catalog and `GET /v1/llm/downloads` show it. */
export interface LlmModelState {
  state: LlmDownloadState;
  status_msg: string | null;
  progress: number;
  initiated_at_unix: number | null;
  local_path: string | null;
  shard_count: number;
  /** 1-based: the shard being fetched (or the last one, once all are there). */
  current_shard: number;
  received_bytes: number;
  total_bytes: number | null;
  error: string | null;
}

export interface LlmDownloadsDeps {
  downloads: Downloads;
  catalog: LlmCatalog;
  /** `HF_ENDPOINT` or https://huggingface.co. */
  hfEndpoint: string;
  bus: EventBus;
}

export class LlmDownloads {
  /** The state last announced per model, to tell an `LlmDownloadUpdated` from a progress tick. */
  readonly #announced = new Map<string, LlmDownloadState>();

  constructor(private readonly deps: LlmDownloadsDeps) {
    deps.downloads.reportKind(LLM_KIND, { update: (view) => this.#onUpdate(view) });
  }

  urlOf(model: LlmModelFile, file: string): string {
    const base = this.deps.hfEndpoint.replace(/\/+$/, '');
    const repo = this.deps.catalog.repoOf(model).split('/').map(encodeURIComponent).join('/');
    return `${base}/${repo}/resolve/main/${encodeURIComponent(file)}`;
  }

  /** Starts (or resumes) downloading every missing file of a model. */
  start(filename: string): { ok: true; result: 'started' | 'already_downloading' | 'already_downloaded'; filename: string; model: LlmModelState } {
    const model = this.#model(filename);
    const current = this.stateOf(model);
    if (current.state === 'downloaded') return { ok: true, result: 'already_downloaded', filename: model.filename, model: current };
    if (current.state === 'downloading') return { ok: true, result: 'already_downloading', filename: model.filename, model: current };
    if (!this.deps.catalog.repoOf(model)) {
      throw new DownloadError('conflict', `"${model.filename}" has no repository to download from; copy its files into the models folder instead`, 'no_repository');
    }
    for (const file of this.deps.catalog.shardsOf(model)) {
      const dest = this.deps.catalog.pathOf(file);
      if (fs.existsSync(dest)) continue;
      const view = this.deps.downloads.get(llmDownloadId(file));
      if (view && isActive(view.state)) continue;
      this.deps.downloads.start({ id: llmDownloadId(file), url: this.urlOf(model, file), dest, kind: LLM_KIND });
    }
    return { ok: true, result: 'started', filename: model.filename, model: this.#announce(model) };
  }

  pause(filename: string): { ok: true; filename: string; model: LlmModelState } {
    const model = this.#model(filename);
    const active = this.#views(model).filter((v) => isActive(v.state));
    if (!active.length) throw new DownloadError('conflict', `"${model.filename}" is not downloading`, 'not_downloading');
    for (const v of active) this.deps.downloads.pause(v.id);
    return { ok: true, filename: model.filename, model: this.#announce(model) };
  }

  /** Resumes paused shards; a failed or cancelled download starts again from what is on disk. */
  resume(filename: string): { ok: true; filename: string; model: LlmModelState } {
    const model = this.#model(filename);
    const state = this.stateOf(model).state;
    if (state === 'failed' || state === 'cancelled') return { ...this.start(filename), ok: true };
    const paused = this.#views(model).filter((v) => v.state === 'paused');
    if (!paused.length) throw new DownloadError('conflict', `"${model.filename}" has no paused download`, 'not_paused');
    for (const v of paused) this.deps.downloads.resume(v.id);
    return { ok: true, filename: model.filename, model: this.#announce(model) };
  }

  /** Stops the download of a model (running or paused); its partial files are deleted. */
  cancel(filename: string): { ok: true; filename: string; cancelled: boolean; model: LlmModelState } {
    const model = this.#model(filename);
    const live = this.#views(model).filter((v) => isActive(v.state) || v.state === 'paused');
    for (const v of live) this.deps.downloads.cancel(v.id);
    return { ok: true, filename: model.filename, cancelled: live.length > 0, model: this.#announce(model) };
  }

  /** Deletes a model's files (and any download of them), announcing `LlmDownloadDeleted`. */
  delete(filename: string): { ok: true; filename: string; deleted: string[] } {
    const model = this.#model(filename);
    const deleted: string[] = [];
    for (const file of this.deps.catalog.shardsOf(model)) {
      const id = llmDownloadId(file);
      if (this.deps.downloads.get(id)) this.deps.downloads.forget(id);
      const dest = this.deps.catalog.pathOf(file);
      if (fs.existsSync(dest)) {
        fs.rmSync(dest, { force: true });
        deleted.push(file);
      }
      // The manager removes a cancelled download's partial file itself; one it never knew of goes too.
      fs.rmSync(`${dest}.incomplete`, { force: true });
    }
    this.#announced.set(model.filename, 'not_downloaded');
    this.deps.bus.publish('LlmDownloadDeleted', { filename: model.filename, deleted });
    return { ok: true, filename: model.filename, deleted };
  }

  /** One state for all of a model's files. */
  stateOf(model: LlmModelFile): LlmModelState {
    const shards = this.deps.catalog.shardsOf(model);
    const views = shards.map((f) => this.deps.downloads.get(llmDownloadId(f)));
    const onDisk = shards.map((f) => fs.existsSync(this.deps.catalog.pathOf(f)));
    const present = views.filter((v): v is DownloadView => v !== null);
    const firstMissing = onDisk.indexOf(false);
    const current = firstMissing < 0 ? shards.length - 1 : firstMissing;
    const currentView = views[current] ?? null;
    let state: LlmDownloadState;
    if (firstMissing < 0) state = 'downloaded';
    else if (present.some((v) => isActive(v.state))) state = 'downloading';
    else if (present.some((v) => v.state === 'paused')) state = 'paused';
    else if (present.some((v) => v.state === 'failed')) state = 'failed';
    else if (present.some((v) => v.state === 'cancelled')) state = 'cancelled';
    else state = 'not_downloaded';
    const done = onDisk.filter(Boolean).length;
    const shardProgress = currentView && !onDisk[current] ? (currentView.progress ?? 0) : 0;
    const progress = state === 'downloaded' ? 1 : (done + shardProgress) / shards.length;
    const failedView = present.find((v) => v.state === 'failed');
    const prefix = shards.length > 1 ? `Shard ${current + 1}/${shards.length}: ` : '';
    const statusMsg =
      state === 'downloaded' ? 'Downloaded' : state === 'not_downloaded' ? null : prefix + ((state === 'failed' ? failedView?.status_msg : currentView?.status_msg) ?? state);
    const totals = present.map((v) => v.total_bytes);
    return {
      state,
      status_msg: statusMsg,
      progress,
      initiated_at_unix: present.length ? Math.floor(Math.min(...present.map((v) => v.created_at_ms)) / 1000) : null,
      local_path: this.deps.catalog.localPathOf(model),
      shard_count: shards.length,
      current_shard: current + 1,
      received_bytes: present.reduce((n, v) => n + v.received_bytes, 0),
      total_bytes: totals.length === shards.length && totals.every((t) => t !== null) ? totals.reduce((n, t) => n! + t!, 0) : null,
      error: failedView?.error ?? null,
    };
  }

  /** Models in any state but idle (not downloaded, or downloaded without a download of ours). */
  list(): Array<ReturnType<LlmDownloads['entryOf']>> {
    return this.deps.catalog
      .models()
      .map((m) => this.entryOf(m))
      .filter((e) => e.state === 'downloading' || e.state === 'paused' || e.state === 'failed' || e.state === 'cancelled');
  }

  /** `GET /v1/llm/downloads`'s row for a model (the reference's fields first). */
  entryOf(model: LlmModelFile) {
    const s = this.stateOf(model);
    return {
      repo: this.deps.catalog.repoOf(model),
      filename: model.filename,
      quant: model.quant,
      size_gb: model.size_gb,
      description: model.description,
      is_mmproj: this.deps.catalog.isMmproj(model),
      state: s.state,
      status_msg: s.status_msg,
      progress: s.progress,
      initiated_at_unix: s.initiated_at_unix,
      local_path: s.local_path,
      shard_count: s.shard_count,
      current_shard: s.current_shard,
      received_bytes: s.received_bytes,
      total_bytes: s.total_bytes,
      error: s.error,
    };
  }

  #model(filename: string): LlmModelFile {
    const model = this.deps.catalog.find(filename);
    if (!model) throw new DownloadError('not_found', `no model "${filename}" in the LLM catalog (GET /v1/llm/catalog)`, 'unknown_model');
    return model;
  }

  #views(model: LlmModelFile): DownloadView[] {
    return this.deps.catalog
      .shardsOf(model)
      .map((f) => this.deps.downloads.get(llmDownloadId(f)))
      .filter((v): v is DownloadView => v !== null);
  }

  /** Publishes `LlmDownloadUpdated` when the model's state changed since the last announcement. */
  #announce(model: LlmModelFile): LlmModelState {
    const s = this.stateOf(model);
    if (this.#announced.get(model.filename) !== s.state) {
      this.#announced.set(model.filename, s.state);
      this.deps.bus.publish('LlmDownloadUpdated', { filename: model.filename, state: s.state, status_msg: s.status_msg, progress: s.progress, error: s.error });
    }
    return s;
  }

  #onUpdate(view: DownloadView): void {
    const file = view.id.slice(LLM_KIND.length + 1);
    const model = this.deps.catalog.find(file);
    if (!model) return;
    const before = this.#announced.get(model.filename);
    const s = this.#announce(model);
    if (s.state === 'downloading' || s.state === 'paused') {
      this.deps.bus.publish('LlmDownloadProgress', {
        filename: model.filename,
        state: s.state,
        progress: s.progress,
        status_msg: s.status_msg,
        current_shard: s.current_shard,
        total_shards: s.shard_count,
        received_bytes: s.received_bytes,
        total_bytes: s.total_bytes,
      });
    }
    if (s.state === 'downloaded' && before !== 'downloaded') {
      this.deps.bus.publish('LlmDownloadCompleted', { filename: model.filename, local_path: s.local_path, shard_count: s.shard_count });
    }
  }
}
