// The device actor's I/O: the `session` actor of the device statechart opens a source for the
// target and moves its frames to the live session, reporting progress back to the statechart.
import { fromCallback } from 'xstate';
import { deviceMachine, type DeviceEvent } from '../../machines/device.ts';
import type { DaemonLog } from '../log.ts';
import type { DeviceConnection, DeviceInfo, DeviceSource, SourceFrame } from './source.ts';

/** Where an open device's frames go (the live signal pipeline, the recorder). */
export interface SessionSink {
  open(target: string, info: DeviceInfo): void;
  frame(frame: SourceFrame): void;
  close(): void;
}

export interface DeviceActorDeps {
  createSource(target: string): DeviceSource;
  sink: SessionSink;
  log: DaemonLog;
}

/** Activity reaches the statechart at most this often; every frame still reaches the sink. */
const ACTIVITY_EVERY_MS = 250;

export function deviceLogic(deps: DeviceActorDeps) {
  return deviceMachine.provide({
    actors: {
      session: fromCallback<DeviceEvent, { target: string }>(({ input, sendBack }) => {
        const controller = new AbortController();
        let connection: DeviceConnection | null = null;
        let stopped = false;
        let lastActivity = 0;
        let source: DeviceSource;
        try {
          source = deps.createSource(input.target);
        } catch (err) {
          queueMicrotask(() => sendBack({ type: 'device.openFailed', error: (err as Error).message }));
          return () => undefined;
        }
        source
          .open(
            {
              frame: (frame) => {
                if (stopped || !connection) return;
                deps.sink.frame(frame);
                const now = Date.now();
                if (frame.kind === 'eeg' && now - lastActivity >= ACTIVITY_EVERY_MS) {
                  lastActivity = now;
                  sendBack({ type: 'device.activity' });
                }
              },
              ended: (reason) => {
                if (!stopped) sendBack({ type: 'device.ended', reason });
              },
              phase: (phase) => {
                if (!stopped) sendBack({ type: 'device.phase', phase });
              },
            },
            controller.signal,
          )
          .then(
            (conn) => {
              if (stopped) return void conn.close();
              connection = conn;
              deps.log.info('device', `opened ${input.target}: ${conn.info.name} (${conn.info.channelNames.length} ch @ ${conn.info.eegSampleRateHz} Hz)`);
              deps.sink.open(input.target, conn.info);
              sendBack({ type: 'device.opened' });
            },
            (err: Error) => {
              if (stopped) return;
              deps.log.warn('device', `could not open ${input.target}: ${err.message}`);
              sendBack({ type: 'device.openFailed', error: err.message });
            },
          );
        return () => {
          stopped = true;
          controller.abort();
          if (connection) {
            deps.sink.close();
            connection.close().catch((err: Error) => deps.log.warn('device', `closing ${input.target}: ${err.message}`));
          }
        };
      }),
    },
  });
}
