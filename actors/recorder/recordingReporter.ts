// The recorder as clients see it: the `recording` block of the status object (statechart state,
// file, counters from the writer thread), a `toast` when recording stops because of the disk or
// falls behind, and a log line for each.
import type { RecorderContext } from '../../machines/recorder.ts';
import type { RecordingStatus } from '../devices/deviceStatus.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import type { RecordingWriter } from './recordingWriter.ts';

function wireState(value: unknown): RecordingStatus['state'] {
  if (value === 'failed') return 'failed';
  if (value && typeof value === 'object' && 'recording' in value) {
    return (value as { recording: string }).recording === 'backlogged' ? 'backlogged' : 'recording';
  }
  return 'idle';
}

const DISK_FULL = new Set(['ENOSPC', 'SQLITE_FULL']);

export function recordingReporter(writer: RecordingWriter, bus: EventBus, log: DaemonLog) {
  let state: RecordingStatus['state'] = 'idle';
  let context: RecorderContext | null = null;

  const status = (): RecordingStatus => {
    const stats = writer.stats();
    const active = state !== 'idle';
    return {
      state,
      csv_path: active ? context?.csvPath ?? null : null,
      segments: active ? context?.segments ?? 0 : 0,
      samples_written: active ? stats.totals.samples : 0,
      backlog_bytes: stats.backlogBytes,
      dropped_samples: active ? stats.droppedSamples : 0,
      error: context?.error ?? null,
      error_code: context?.errorCode ?? null,
    };
  };

  const onSnapshot = (snapshot: unknown) => {
    const snap = snapshot as { value: unknown; context: RecorderContext };
    const next = wireState(snap.value);
    context = snap.context;
    if (next === state) return;
    const was = state;
    state = next;
    if (next === 'failed') {
      // The CSV writes report a full disk as ENOSPC, the day database as SQLITE_FULL: whichever hits first.
      const why = DISK_FULL.has(context.errorCode ?? '') ? 'the disk is full' : context.error ?? 'a write failed';
      log.error('recorder', `recording stopped: ${context.error} (${context.errorCode}); retrying in a new segment shortly`);
      bus.publish('toast', { level: 'error', title: 'Recording stopped', message: `Recording stopped because ${why}. Data recorded so far is safe.` });
    } else if (next === 'backlogged') {
      log.warn('recorder', 'the disk is slower than the device; dropping samples until it catches up');
      bus.publish('toast', { level: 'warning', title: 'Recording falling behind', message: 'The disk is slower than the headset; some samples are being dropped.' });
    } else if (was === 'backlogged' && next === 'recording') {
      log.info('recorder', `the disk caught up (${writer.stats().droppedSamples} samples dropped)`);
    }
  };

  return { status, onSnapshot };
}
