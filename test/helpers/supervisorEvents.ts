// Supervisor events of a running daemon, per actor: one WebSocket subscribed to the actor-*
// types only (never the sample stream), so a long fault run holds memory bounded by the actors
// that are mid-restart, not by everything the daemon ever published.
import WebSocket from 'ws';

export interface SupervisorEvent {
  type: 'actor-failed' | 'actor-exited' | 'actor-restarted' | 'actor-given-up';
  actor: string;
  error?: string;
  restart_in_ms?: number | null;
  restarts?: number;
}

const TYPES = ['actor-failed', 'actor-exited', 'actor-restarted', 'actor-given-up'];

export interface SupervisorEvents {
  /** Forgets what `actor` has reported so far. */
  clear(actor: string): void;
  /** Resolves with every event of `actor` up to and including the first that `done` accepts. */
  until(actor: string, done: (e: SupervisorEvent) => boolean, timeoutMs: number): Promise<SupervisorEvent[]>;
  close(): void;
}

export function supervisorEvents(port: number, token: string): Promise<SupervisorEvents> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/events?token=${encodeURIComponent(token)}`);
  const seen = new Map<string, SupervisorEvent[]>();
  const waiters = new Map<string, () => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (!TYPES.includes(frame.type)) return;
    const e: SupervisorEvent = { type: frame.type, ...frame.payload };
    const list = seen.get(e.actor) ?? [];
    list.push(e);
    seen.set(e.actor, list);
    waiters.get(e.actor)?.();
  });
  const events: SupervisorEvents = {
    clear: (actor) => seen.set(actor, []),
    until: (actor, done, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const list = seen.get(actor) ?? [];
          const i = list.findIndex(done);
          if (i < 0) return false;
          waiters.delete(actor);
          clearTimeout(timer);
          seen.set(actor, list.slice(i + 1));
          resolve(list.slice(0, i + 1));
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(actor);
          reject(new Error(`timed out waiting on actor ${actor}; it reported ${JSON.stringify(seen.get(actor) ?? [])}`));
        }, timeoutMs);
        if (!check()) waiters.set(actor, () => void check());
      }),
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ command: 'subscribe', types: TYPES }));
      resolve(events);
    });
    ws.once('error', reject);
  });
}
