// `LSL:fullinfo` over TCP (protocol doc §5): the full stream info including `<desc>` (channel
// labels, units), which discovery replies leave out. The outlet writes the XML and closes; there
// is no length prefix, so the reply is everything up to EOF.
import net from 'node:net';
import { LOOPBACK } from './networkScope.ts';
import { parseStreamInfo, type StreamInfo } from './streamInfo.ts';

const MAX_INFO_BYTES = 4 * 1024 * 1024;

/** The outlet's full info; address fields are kept from `info` (outlets leave them empty). */
export function requestFullInfo(info: StreamInfo, timeoutMs = 5000, signal?: AbortSignal): Promise<StreamInfo> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const socket = net.connect({ host: info.v4address || LOOPBACK, port: info.v4dataPort });
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: unknown) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal?.reason ?? new Error('aborted'));
    const timer = setTimeout(() => fail(new Error(`no full info from ${info.name} within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write('LSL:fullinfo\r\n'));
    socket.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_INFO_BYTES) return fail(new Error('full info larger than 4 MiB'));
      chunks.push(chunk);
    });
    socket.on('error', fail);
    socket.on('end', () => {
      cleanup();
      socket.destroy();
      try {
        const full = parseStreamInfo(Buffer.concat(chunks).toString('utf8'));
        resolve({ ...full, v4address: info.v4address, v6address: info.v6address });
      } catch (err) {
        reject(err);
      }
    });
  });
}
