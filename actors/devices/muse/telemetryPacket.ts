// Telemetry notification (protocol reference §6.4): five big-endian uint16 fields, the rest is
// padding. Its rate is not agreed on (about 1 Hz or 0.1 Hz), so nothing may depend on it.
import { classicPacketView, sequenceIndex } from './classicPacket.ts';

export interface TelemetryPacket {
  index: number;
  /** raw / 512; 51200 is 100 %. Can exceed 100 (raw 0xFFFF → 127.998…), see `batteryDisplayPct`. */
  batteryPct: number;
  /** Fuel gauge, raw × 2.2 → millivolts. */
  fuelGaugeMv: number;
  /** Undocumented ADC reading (muse-lsl calls it adc_volt; muse-js skips it). */
  adcRaw: number;
  /** Unit unknown ("raw ADC value, not °C"). */
  temperatureRaw: number;
}

export function decodeTelemetryPacket(bytes: Uint8Array): TelemetryPacket {
  const view = classicPacketView(bytes);
  return {
    index: sequenceIndex(view),
    batteryPct: view.getUint16(2, false) / 512,
    fuelGaugeMv: view.getUint16(4, false) * 2.2,
    adcRaw: view.getUint16(6, false),
    temperatureRaw: view.getUint16(8, false),
  };
}

/** The percentage clamped to 0–100 for display and for `BatteryFrame.levelPct`. */
export function batteryDisplayPct(pct: number): number {
  return Math.min(100, Math.max(0, pct));
}
