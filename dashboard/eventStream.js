// One WebSocket to /v1/events for the whole dashboard, re-opened with a growing delay when it
// drops. Browsers cannot set headers on a WebSocket, so the token goes as `?token=`, as the
// daemon accepts for that reason. Pages register handlers by event type.
import { token } from './daemonApi.js';

export class EventStream {
  constructor(onConnection) {
    this.handlers = new Map();
    this.onConnection = onConnection;
    this.retryMs = 500;
    this.socket = null;
    this.counts = new Map();
  }

  /** Calls `fn(payload, envelope)` for every event of `type`; returns a function that stops it. */
  on(type, fn) {
    const set = this.handlers.get(type) ?? new Set();
    set.add(fn);
    this.handlers.set(type, set);
    return () => set.delete(fn);
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/v1/events?token=${encodeURIComponent(token() ?? '')}`);
    this.socket = ws;
    this.onConnection('connecting');
    ws.onopen = () => {
      this.retryMs = 500;
      this.onConnection('open');
    };
    ws.onmessage = (msg) => {
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (!frame.type) return;
      this.counts.set(frame.type, (this.counts.get(frame.type) ?? 0) + 1);
      for (const fn of this.handlers.get(frame.type) ?? []) {
        try {
          fn(frame.payload, frame);
        } catch (err) {
          console.error(`handler for ${frame.type} failed`, err);
        }
      }
    };
    ws.onclose = () => {
      this.onConnection('closed');
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }
}
