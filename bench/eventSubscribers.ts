// WebSocket subscribers of /v1/events (or of a baseline server speaking the same envelope), as
// the app opens them, each recording when every frame of the watched type arrived and how late.
//
// The clock: the daemon stamps each envelope's `ts_unix_ms` with Date.now() when it publishes
// the event, just before the hub serialises it and writes it to every socket. Subscribers run
// in another process on the same machine, so both read the same CLOCK_REALTIME and no offset
// needs estimating. Arrival is read as performance.timeOrigin + performance.now() (sub-ms, same
// epoch) first thing in the message handler, before any parsing. Because the stamp is a whole
// millisecond (rounded down), every latency reads 0–1 ms long; a baseline stamped the same way
// carries the same bias, so their ratio does not.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface Arrival {
  /** The envelope's ts_unix_ms: which event this is (every client sees the same one). */
  stampMs: number;
  latencyMs: number;
}

export interface Subscriber {
  ws: WebSocket;
  /** Frames of the watched type, in arrival order. */
  arrivals: Arrival[];
  /** Frames of any other type, by type. */
  otherFrames: Map<string, number>;
  /** The last frame of the watched type, as received (for replaying its payload). */
  lastFrame: Buffer | null;
  /** Close codes and errors seen; empty while the connection is healthy. */
  problems: string[];
  /** Called with every frame's type and bytes, after its arrival time was taken. */
  onFrame?: (type: string, frame: Buffer) => void;
}

export interface SubscribeOptions {
  /** ws://host:port/path?token=… */
  url: string;
  /** Event type whose latency is recorded. */
  watch: string;
  /** Sent as a `subscribe` command once open; null keeps the default filter (every non-opt-in type). */
  types: string[] | null;
}

const STAMP = /"ts_unix_ms":(\d+)/;
const TYPE = /"type":"([^"]+)"/;

function nowUnixMs(): number {
  return performance.timeOrigin + performance.now();
}

export async function subscribe(opts: SubscribeOptions): Promise<Subscriber> {
  const ws = new WebSocket(opts.url, { perMessageDeflate: false });
  const sub: Subscriber = { ws, arrivals: [], otherFrames: new Map(), lastFrame: null, problems: [] };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const at = nowUnixMs();
    if (isBinary) return;
    // Only the head is decoded: envelopes start with type and ts_unix_ms, and decoding a 16 KB
    // payload 100 times per event would be this process's cost, not the sender's.
    const head = data.toString('utf8', 0, 120);
    const type = TYPE.exec(head)?.[1];
    if (!type) return; // a command reply
    if (type === opts.watch) {
      const stamp = Number(STAMP.exec(head)?.[1]);
      sub.arrivals.push({ stampMs: stamp, latencyMs: at - stamp });
      sub.lastFrame = data;
    } else {
      sub.otherFrames.set(type, (sub.otherFrames.get(type) ?? 0) + 1);
    }
    sub.onFrame?.(type, data);
  });
  ws.on('error', (err) => sub.problems.push(`error: ${err.message}`));
  ws.on('close', (code, reason) => {
    if (code !== 1000 && code !== 1005) sub.problems.push(`closed ${code} ${reason.toString()}`);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  if (opts.types) ws.send(JSON.stringify({ command: 'subscribe', types: opts.types }));
  return sub;
}

/** Opens `count` subscribers a few at a time (a burst of 100 upgrades at once is not what is measured). */
export async function subscribeMany(count: number, opts: SubscribeOptions): Promise<Subscriber[]> {
  const subs: Subscriber[] = [];
  for (let i = 0; i < count; i += 10) {
    subs.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => subscribe(opts)))));
  }
  return subs;
}

export async function closeAll(subs: Subscriber[]): Promise<void> {
  await Promise.all(
    subs.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve();
          s.ws.once('close', () => resolve());
          s.ws.close(1000);
          setTimeout(() => (s.ws.terminate(), resolve()), 2000).unref();
        }),
    ),
  );
}
