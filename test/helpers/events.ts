// A WebSocket subscriber of /v1/events that records every frame.
import WebSocket from 'ws';

export interface Subscriber {
  ws: WebSocket;
  frames: any[];
  /** Resolves with the first frame (already received or future) that matches. */
  next(match: (f: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

export function subscribe(port: number, token: string): Promise<Subscriber> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/events?token=${encodeURIComponent(token)}`);
  const frames: any[] = [];
  const waiters: Array<{ match: (f: any) => boolean; resolve: (f: any) => void }> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  const sub: Subscriber = {
    ws,
    frames,
    next: (match, timeoutMs = 5_000) => {
      const seen = frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
        waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
      });
    },
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(sub));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}
