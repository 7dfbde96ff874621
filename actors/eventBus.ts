// Daemon events as the wire sees them: `{type, ts_unix_ms, correlation_id, payload}`.
// Actors publish here; the WebSocket hub (and anything else in-process) subscribes.
export interface EventEnvelope<P = unknown> {
  type: string;
  ts_unix_ms: number;
  correlation_id: string | null;
  payload: P;
}

export type EventListener = (event: EventEnvelope) => void;

export interface SubscribeOptions {
  /**
   * Called before every listener subscribed without it. The transport subscribes this way, for
   * two reasons: clients get each event as soon as it is published, not after the in-process
   * listeners have run; and an event a listener publishes in reaction (a statechart's
   * `actor-transition` after a `EegBands` tick) reaches the wire after its cause, not before.
   */
  first?: boolean;
}

export class EventBus {
  private readonly firstListeners = new Set<EventListener>();
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
    deliver(this.firstListeners, event);
    deliver(this.listeners, event);
  }

  subscribe(listener: EventListener, options: SubscribeOptions = {}): () => void {
    const set = options.first ? this.firstListeners : this.listeners;
    set.add(listener);
    return () => set.delete(listener);
  }
}

function deliver(listeners: ReadonlySet<EventListener>, event: EventEnvelope): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // One broken subscriber must not stop delivery to the others.
    }
  }
}
