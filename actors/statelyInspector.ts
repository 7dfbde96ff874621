// Speaks the Stately inspection protocol (@statelyai/inspect) when the daemon runs with
// `--inspect`: every actor's creation, events and snapshots go to an inspection WebSocket, so
// the standard Stately visualizer (or any receiver of that protocol) can attach to the live
// actor tree. The daemon is the client; the receiver runs beside it on loopback, for instance
// `createInspectorServer()` from `@statelyai/inspect/server`, which listens on port 8080.
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import type { DaemonLog } from './log.ts';

export interface StatelyInspector {
  /** Hands one inspection event to the protocol (buffered until the socket is open). */
  inspect(event: InspectionEvent): void;
  stop(): void;
}

export function startStatelyInspector(url: string, log: DaemonLog): StatelyInspector {
  // The adapter buffers up to `maxDeferredEvents` until it connects and retries every 5 s on error,
  // so a receiver started after the daemon still sees the tree being built.
  const inspector = createWebSocketInspector({ url, maxDeferredEvents: 2_000 });
  log.info('inspect', `sending Stately inspection events to ${url}`);
  return {
    inspect: (event) => inspector.inspect.next?.(event),
    stop: () => inspector.stop(),
  };
}
