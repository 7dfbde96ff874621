// Measuring the clock offset to an outlet (protocol doc §8): a wave of `LSL:timedata` probes to
// its UDP service port, all from one socket, keeping the reply with the smallest round trip.
// liblsl spaces its 8 probes 64 ms apart; nothing on the wire depends on that, so ours go out
// faster and a wave takes tens of milliseconds on a LAN.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import type { NetworkMode } from '../../config.ts';
import { lslLocalClock } from './clock.ts';
import { bindAddress, bindUdp, LOOPBACK } from './networkScope.ts';
import type { StreamInfo } from './streamInfo.ts';
import { bestEstimate, buildTimeProbe, estimateClock, parseTimeReply, type ClockEstimate } from './timeProbe.ts';

export interface TimeCorrectionOptions {
  network: NetworkMode;
  probes?: number;
  intervalMs?: number;
  timeoutMs?: number;
}

/** One wave; null if the outlet answered no probe in time (some outlets do not implement it). */
export async function measureTimeCorrection(info: StreamInfo, options: TimeCorrectionOptions): Promise<ClockEstimate | null> {
  const { probes = 8, intervalMs = 8, timeoutMs = 400 } = options;
  if (!info.v4servicePort) return null;
  const socket = dgram.createSocket({ type: 'udp4' });
  socket.on('error', () => undefined);
  await bindUdp(socket, 0, bindAddress(options.network));
  const waveId = String(randomInt(1, 2 ** 31 - 1));
  const estimates: ClockEstimate[] = [];
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(sender);
      clearTimeout(deadline);
      socket.close();
      resolve(bestEstimate(estimates));
    };
    socket.on('message', (msg) => {
      const t3 = lslLocalClock();
      const reply = parseTimeReply(msg);
      if (!reply || reply.waveId !== waveId) return;
      estimates.push(estimateClock(reply, t3));
      if (estimates.length >= probes) finish();
    });
    const send = () => {
      if (sent >= probes) return clearInterval(sender);
      sent++;
      socket.send(buildTimeProbe({ waveId, t0: lslLocalClock() }), info.v4servicePort, info.v4address || LOOPBACK, () => undefined);
    };
    const sender = setInterval(send, intervalMs);
    const deadline = setTimeout(finish, timeoutMs);
    send();
  });
}
