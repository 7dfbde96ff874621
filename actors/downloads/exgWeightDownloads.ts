// EEG encoder weights as a kind of download (notes §5.4): the active family's ONNX file from
// `${HF_ENDPOINT}/<repo>/resolve/main/<onnx_file>` into `<data>/models/exg/<onnx_file>`, the
// reference's `ExgDownloadProgress` / `ExgDownloadCompleted` / `ExgDownloadFailed` events, and
// the download fields of `GET /v1/models/status`.
//
// The active family is `active_family` of `<data>/model_config.json` (written by the models
// routes), read on every request and tolerantly: a missing or unreadable file, or an unknown
// name, means the built-in encoder, which is generated locally and has nothing to download.
import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_FAMILY, EXG_FAMILIES, type ExgFamily } from '../embeddings/exgCatalog.ts';
import type { EventBus } from '../eventBus.ts';
import { DownloadError } from './downloadError.ts';
import type { Downloads } from './downloads.ts';
import { isActive, type DownloadView } from './downloadView.ts';

export const EXG_KIND = 'exg';
export const MODEL_CONFIG_FILE = 'model_config.json';

/** The download fields of `GET /v1/models/status`. */
export interface ExgDownloadStatus {
  downloading_weights: boolean;
  download_progress: number;
  download_status_msg: string | null;
  download_needs_restart: boolean;
  download_retry_attempt: number;
  download_retry_in_secs: number;
}

/** Payload of the three Exg download events (the reference's fields first). */
export interface ExgDownloadPayload {
  backend: string;
  downloading: boolean;
  progress: number;
  status_msg: string;
  weights_found: boolean;
  needs_restart: false;
  state: string;
  received_bytes: number;
  total_bytes: number | null;
  retry_attempt: number;
  retry_in_secs: number | null;
  cancelled?: true;
  sha256?: string | null;
}

export interface ExgWeightDownloadsDeps {
  downloads: Downloads;
  dataDir: string;
  /** `HF_ENDPOINT` or https://huggingface.co. */
  hfEndpoint: string;
  bus: EventBus;
}

export const exgDownloadId = (family: string) => `${EXG_KIND}:${family}`;
export const exgWeightsDir = (dataDir: string) => path.join(dataDir, 'models', 'exg');

export class ExgWeightDownloads {
  constructor(private readonly deps: ExgWeightDownloadsDeps) {
    deps.downloads.reportKind(EXG_KIND, { update: (view) => this.#publish(view) });
  }

  /** The family `model_config.json` names, or the built-in one. */
  activeFamily(): string {
    let config: unknown;
    try {
      config = JSON.parse(fs.readFileSync(path.join(this.deps.dataDir, MODEL_CONFIG_FILE), 'utf8'));
    } catch {
      return BUILTIN_FAMILY;
    }
    const name = (config as { active_family?: unknown } | null)?.active_family;
    return typeof name === 'string' && name in EXG_FAMILIES ? name : BUILTIN_FAMILY;
  }

  /** Where a family's ONNX file lives once downloaded. */
  destOf(family: ExgFamily): string {
    return path.join(exgWeightsDir(this.deps.dataDir), family.onnx_file);
  }

  urlOf(family: ExgFamily): string {
    const base = this.deps.hfEndpoint.replace(/\/+$/, '');
    const repo = family.repo.split('/').map(encodeURIComponent).join('/');
    return `${base}/${repo}/resolve/main/${encodeURIComponent(family.onnx_file)}`;
  }

  /**
   * Starts downloading a family's weights (the active family by default). Refused with a
   * `conflict` when it is already downloading or is the built-in encoder; a file already in
   * place is not fetched again. A paused download of it is resumed.
   */
  trigger(familyName = this.activeFamily()): { ok: true; message: string; family: string; download: DownloadView | null } {
    const family = EXG_FAMILIES[familyName];
    if (!family) throw new DownloadError('not_found', `no EEG encoder family "${familyName}"`);
    if (family.builtin) {
      throw new DownloadError('conflict', `the encoder "${familyName}" is built in and has no weights to download; choose another family with POST /v1/models/config first`, 'builtin_model');
    }
    const id = exgDownloadId(familyName);
    const current = this.deps.downloads.get(id);
    if (current && isActive(current.state)) throw new DownloadError('conflict', `the ${family.name} weights are already downloading (${Math.round((current.progress ?? 0) * 100)} %)`, 'already_downloading');
    const dest = this.destOf(family);
    if (fs.existsSync(dest)) return { ok: true, message: `${family.name} weights are already present at ${dest}`, family: familyName, download: null };
    const download = this.deps.downloads.start({ id, url: this.urlOf(family), dest, sha256: family.sha256, size: null, kind: EXG_KIND });
    return { ok: true, message: `Downloading ${family.name} weights (${family.onnx_file})`, family: familyName, download };
  }

  /** Cancels every EXG weights download in progress (paused ones too); their partial files are deleted. */
  cancel(): { ok: true; message: string; cancelled: string[] } {
    const cancelled: string[] = [];
    for (const d of this.#exgDownloads()) {
      if (!isActive(d.state) && d.state !== 'paused') continue;
      this.deps.downloads.cancel(d.id);
      cancelled.push(d.id);
    }
    return { ok: true, message: cancelled.length ? 'Download cancelled' : 'No weights download in progress', cancelled };
  }

  pause(): { ok: true; message: string; download: DownloadView } {
    const d = this.#exgDownloads().find((v) => isActive(v.state));
    if (!d) throw new DownloadError('conflict', 'no weights download in progress to pause');
    return { ok: true, message: 'Download paused', download: this.deps.downloads.pause(d.id) };
  }

  resume(): { ok: true; message: string; download: DownloadView } {
    const d = this.#exgDownloads().find((v) => v.state === 'paused');
    if (!d) throw new DownloadError('conflict', 'no paused weights download to resume');
    return { ok: true, message: 'Download resumed', download: this.deps.downloads.resume(d.id) };
  }

  /** The download fields of `GET /v1/models/status`: the active family's download, else the latest EXG one. */
  status(): ExgDownloadStatus {
    const all = this.#exgDownloads();
    const d = all.find((v) => v.id === exgDownloadId(this.activeFamily())) ?? all.sort((a, b) => b.updated_at_ms - a.updated_at_ms)[0];
    if (!d) {
      return { downloading_weights: false, download_progress: 0, download_status_msg: null, download_needs_restart: false, download_retry_attempt: 0, download_retry_in_secs: 0 };
    }
    return {
      downloading_weights: isActive(d.state),
      download_progress: d.progress ?? 0,
      download_status_msg: d.status_msg,
      download_needs_restart: false,
      download_retry_attempt: d.state === 'waiting' ? d.attempt : 0,
      download_retry_in_secs: d.retry_in_secs ?? 0,
    };
  }

  #exgDownloads(): DownloadView[] {
    return this.deps.downloads.list().filter((d) => d.kind === EXG_KIND);
  }

  #publish(view: DownloadView): void {
    const family = view.id.startsWith(`${EXG_KIND}:`) ? view.id.slice(EXG_KIND.length + 1) : view.id;
    const payload: ExgDownloadPayload = {
      backend: family,
      downloading: isActive(view.state),
      progress: view.progress ?? 0,
      status_msg: view.status_msg,
      weights_found: view.state === 'done' || fs.existsSync(view.dest),
      needs_restart: false,
      state: view.state,
      received_bytes: view.received_bytes,
      total_bytes: view.total_bytes,
      retry_attempt: view.attempt,
      retry_in_secs: view.retry_in_secs,
    };
    if (view.state === 'done') this.deps.bus.publish('ExgDownloadCompleted', { ...payload, sha256: view.digest });
    else if (view.state === 'failed') this.deps.bus.publish('ExgDownloadFailed', payload);
    else if (view.state === 'cancelled') this.deps.bus.publish('ExgDownloadFailed', { ...payload, cancelled: true });
    else this.deps.bus.publish('ExgDownloadProgress', payload);
  }
}
