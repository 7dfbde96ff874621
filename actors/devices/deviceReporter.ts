// Turns device statechart snapshots into events: `status` and `reconnect-state` whenever they
// change (and `status` every 3 s while a device is connected, as the reference's monitor does),
// `DeviceConnected` when a device opens and `DeviceDisconnected` with the reason when it goes.
import type { DeviceContext } from '../../machines/device.ts';
import type { EventBus } from '../eventBus.ts';
import type { DeviceState } from './deviceState.ts';

export const STATUS_EVERY_MS = 3_000;

export interface DeviceReporter {
  /** Feed every snapshot of the device actor. */
  onSnapshot(snapshot: unknown): void;
  /** Something else in the status changed (the recorder): publish it if it is news. */
  refresh(): void;
  stop(): void;
}

export function deviceReporter(state: DeviceState, bus: EventBus): DeviceReporter {
  let lastStatus = '';
  let lastReconnect = '';
  let wasConnected = false;

  const publishStatus = (force: boolean) => {
    const status = state.status();
    // Counters move with every frame; a change of anything else is news.
    const recording = { ...status.recording, samples_written: 0, backlog_bytes: 0, dropped_samples: 0 };
    const stable = JSON.stringify({ ...status, sample_count: 0, ppg_sample_count: 0, imu_sample_count: 0, recording });
    if (!force && stable === lastStatus) return;
    lastStatus = stable;
    bus.publish('status', status);
  };

  const timer = setInterval(() => {
    if (wasConnected) publishStatus(true);
  }, STATUS_EVERY_MS);
  timer.unref();

  return {
    onSnapshot(snapshot) {
      const snap = snapshot as { value: unknown; context: DeviceContext };
      state.value = snap.value;
      state.context = snap.context;
      const connected = state.status().state === 'connected';
      if (connected && !wasConnected && state.info) {
        bus.publish('DeviceConnected', { name: state.info.name, kind: state.info.kind, id: state.info.id });
      }
      if (!connected && wasConnected) {
        bus.publish('DeviceDisconnected', { reason: snap.context.lastReason ?? 'disconnected' });
      }
      wasConnected = connected;
      const reconnect = JSON.stringify(state.reconnectState());
      if (reconnect !== lastReconnect) {
        lastReconnect = reconnect;
        bus.publish('reconnect-state', state.reconnectState());
      }
      publishStatus(false);
    },
    refresh() {
      publishStatus(false);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
