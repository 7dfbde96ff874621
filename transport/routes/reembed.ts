// Re-embedding of stored epochs (notes §5.5): the reembed config, starting a run (plain or as an
// SSE stream of its progress), the estimate, and the run history.
import { readReembedConfig, reembedConfigPatchSchema, updateReembedConfig } from '../../actors/reembed/reembedConfig.ts';
import { ReembedRefused } from '../../actors/reembed/reembedScheduler.ts';
import type { EventEnvelope } from '../../actors/eventBus.ts';
import { HttpError, unavailable } from '../errors.ts';
import { route, SseReply, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** Statuses after which a run's stream ends. */
const FINAL = new Set(['done', 'error', 'idle_done']);

function refusedAs<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ReembedRefused)) throw err;
    if (err.code === 'unavailable') throw unavailable(err.message);
    throw new HttpError(409, err.code, err.message);
  }
}

export function reembedRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/settings/reembed-config', scope: 'acl',
      summary:
        '`ReembedConfig` `{auto_labels:false, auto_eeg:false, auto_screenshots:false, batch_size:10, batch_delay_ms:50, idle_reembed_enabled:true, idle_reembed_delay_secs:1800, idle_reembed_gpu:true, gpu_precision:"f16", idle_reembed_throttle_ms:10}` (defaults shown). Runs embed max(`batch_size`, 10) epochs per chunk and sleep `idle_reembed_throttle_ms` between chunks; `idle_reembed_gpu`/`gpu_precision` are kept but this build runs on the CPU.',
      handler: () => readReembedConfig(s.settings),
    }),
    route({
      method: 'POST', path: '/v1/settings/reembed-config', scope: 'acl',
      summary:
        'Change any `ReembedConfig` fields (`batch_size` 1–1000, `batch_delay_ms` and `idle_reembed_throttle_ms` 0–60000, `idle_reembed_delay_secs` 0–604800, `gpu_precision` f16|f32; unknown fields are refused). Stored under `reembed` in settings.json and applied at once: a new idle delay counts from now, and the next chunk of a running run uses the new batch size and throttle. `{ok, ...config}`.',
      body: reembedConfigPatchSchema,
      handler: ({ body }) => ({ ok: true, ...updateReembedConfig(s.settings, body) }),
    }),
    route({
      method: 'POST', path: '/v1/models/trigger-reembed', scope: 'acl',
      summary:
        'Embed every stored 5 s epoch that has no embedding, newest day first, from the raw session CSVs, through the active encoder; progress as `reembed-progress` events. `{ok, message}`; a run paused by a device is resumed when nothing is connected. 409 `already_running` while a run is loading, scanning, running or paused by a connected device; 409 `weights_downloading` while encoder weights download; 409 `encoder_unavailable` when no encoder is loaded (metrics only).',
      handler: () => refusedAs(() => s.reembed.trigger()),
    }),
    route({
      method: 'POST', path: '/v1/models/trigger-reembed/stream', scope: 'acl',
      summary:
        'As `trigger-reembed`, answered as Server-Sent Events: one `data:` frame per `reembed-progress` payload (`{status: loading_encoder|scanning|started|running|paused|done|error|idle_done, total, done, failed, date, day, run_id, trigger, reason?, message?}`) until `done` or `error`; keep-alive comments every 15 s. The same 409s before the stream opens.',
      handler: () => {
        // Refused before any header is sent, so a client gets a plain 409.
        refusedAs(() => s.reembed.assertCanTrigger());
        return new SseReply((sink) => {
          const off = s.bus.subscribe((e: EventEnvelope) => {
            if (e.type !== 'reembed-progress') return;
            const status = String((e.payload as { status?: unknown }).status);
            sink.send(e.payload);
            if (FINAL.has(status)) sink.close();
          });
          try {
            s.reembed.trigger();
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            sink.send({ status: 'error', total: 0, done: 0, failed: 0, date: null, day: null, message });
            sink.close();
          }
          return off;
        });
      },
    }),
    route({
      method: 'GET', path: '/v1/models/estimate-reembed', scope: 'acl',
      summary:
        '`{total_epochs, embedded, missing, date_dirs, coverage_pct, avg_embed_ms, avg_embed_source (reembed|live|calibration|none), eta_secs, per_day: [{date, total, missing, embedded}], idle_reembed: {active, idle_secs, delay_secs, total, done, current_day, enabled, state, trigger, failed, reason, run_id}}`. Counts are 5 s epoch rows only (band rows of reference-era databases are not epochs); missing = NULL or shorter than 4 bytes. `avg_embed_ms` is measured: by reembed runs (reading, encoding, writing), else the live encoder, else one calibration encode; `eta_secs` adds the throttle.',
      handler: () => s.reembed.estimate(),
    }),
    route({
      method: 'GET', path: '/v1/models/reembed-runs', scope: 'acl',
      summary:
        'Reembed run history, newest first (kept in `<data>/reembed_runs.json`, last 200): `{runs: [{id, trigger (manual|idle), started_at, ended_at, outcome (running|paused|done|error|interrupted), total, done, failed, failures: {reason: count}, skipped_channel_counts, pauses, model, epochs_per_sec, bytes_read, message}]}`.',
      handler: () => ({ runs: s.reembed.runs.list() }),
    }),
  ];
}
