// One TCP stream feed from an outlet to us (protocol doc §10 steps 3-6): connect to the data
// port, send the 1.10 request, and pass every byte through a FeedReader. `openFeed` resolves once
// the test patterns have been checked, so a caller never sees data from a feed it misreads.
import net from 'node:net';
import { buildFeedRequest } from './feedHandshake.ts';
import { FeedError, FeedReader, type LslSample } from './feedReader.ts';
import { LOOPBACK } from './networkScope.ts';
import type { StreamInfo } from './streamInfo.ts';

export interface FeedHandlers {
  samples(samples: LslSample[]): void;
  /** The feed stopped after it had opened (EOF, socket error, undecodable bytes). Called once. */
  closed(error: FeedError): void;
}

export interface FeedConnection {
  /** Unix-ms time the last byte arrived: the inlet's stall watchdog reads it. */
  lastDataAt: number;
  /** Stops the feed without calling `closed`. */
  close(): void;
}

export function openFeed(
  info: StreamInfo,
  handlers: FeedHandlers,
  options: { timeoutMs: number; maxBufferLength?: number; signal?: AbortSignal },
): Promise<FeedConnection> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const reader = new FeedReader(info, info.uid);
    const socket = net.connect({ host: info.v4address || LOOPBACK, port: info.v4dataPort });
    let opened = false;
    let finished = false;
    const connection = {
      lastDataAt: Date.now(),
      close() {
        finished = true;
        socket.destroy();
      },
    };
    const stop = (error: FeedError) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (opened) handlers.closed(error);
      else reject(error);
    };
    const onAbort = () => stop(new FeedError('aborted', 'refused'));
    const timer = setTimeout(() => stop(new FeedError(`no stream feed from ${info.name} within ${options.timeoutMs} ms`, 'gone')), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(buildFeedRequest(info, options.maxBufferLength)));
    socket.on('data', (chunk: Buffer) => {
      if (finished) return;
      connection.lastDataAt = Date.now();
      let samples: LslSample[];
      try {
        samples = reader.push(chunk);
      } catch (err) {
        return stop(err instanceof FeedError ? err : new FeedError(String(err), 'protocol'));
      }
      if (!opened && reader.state === 'data') {
        opened = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(connection);
      }
      if (samples.length > 0) handlers.samples(samples);
    });
    socket.on('end', () => stop(reader.end()));
    socket.on('error', (err) => stop(new FeedError(`connection error: ${err.message}`, 'gone')));
    socket.on('close', () => stop(reader.end()));
  });
}
