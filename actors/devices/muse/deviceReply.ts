// What the control replies say about the headset (protocol reference §3.2): the `v1` reply
// carries firmware and hardware versions, the `s` reply the name, serial, MAC and an integer
// battery percentage. They arrive after the device is open, so they become InfoFrame and
// BatteryFrame rather than delaying `open`.
import type { BatteryFrame, DeviceInfo, InfoFrame } from '../source.ts';
import type { ControlReply } from './controlResponse.ts';

export function framesFromReply(reply: ControlReply): Array<InfoFrame | BatteryFrame> {
  const info: Partial<DeviceInfo> = {};
  const text = (key: string) => (typeof reply[key] === 'string' && reply[key] !== '' ? (reply[key] as string) : null);
  const fw = text('fw');
  const hw = text('hw');
  const hn = text('hn');
  const sn = text('sn');
  const ma = text('ma');
  if (fw) info.firmwareVersion = fw;
  if (hw) info.hardwareVersion = hw;
  if (hn) info.name = hn;
  if (sn) info.serialNumber = sn;
  if (ma) info.macAddress = ma;
  const frames: Array<InfoFrame | BatteryFrame> = [];
  if (Object.keys(info).length > 0) frames.push({ kind: 'info', info });
  const bp = reply['bp'];
  if (typeof bp === 'number' && Number.isFinite(bp)) frames.push({ kind: 'battery', levelPct: Math.min(100, Math.max(0, bp)) });
  return frames;
}

/** `rc` 0 means accepted; anything else is the headset refusing the command. */
export function rejectionCode(reply: ControlReply): number | null {
  const rc = reply['rc'];
  return typeof rc === 'number' && rc !== 0 ? rc : null;
}
