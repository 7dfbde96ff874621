// Daemon events as the wire sees them: `{type, ts_unix_ms, correlation_id, payload}`.
// Actors publish here; the WebSocket hub (and anything else in-process) subscribes.
export interface EventEnvelope<P = unknown> {
  type: string;
  ts_unix_ms: number;
  correlation_id: string | null;
  payload: P;
}

export type EventListener = (event: EventEnvelope) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();
  /** Whether anyone would receive an event of a type; high-rate publishers ask first. */
  wants: (type: string) => boolean = () => true;

  constructor(private readonly now: () => number = Date.now) {}

  publish<P>(type: string, payload: P, correlationId: string | null = null): EventEnvelope<P> {
    const event: EventEnvelope<P> = { type, ts_unix_ms: this.now(), correlation_id: correlationId, payload };
    this.emit(event);
    return event;
  }

  /** Rebroadcast an envelope built elsewhere (POST /v1/events/push). */
  emit(event: EventEnvelope): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not stop delivery to the others.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
