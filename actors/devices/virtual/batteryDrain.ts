// Battery of the virtual headset: a linear drain from the start level, reported every few
// seconds. The reference's status only needs the percentage (notes §3.8); the voltage is a rough
// single-cell Li-ion mapping (3.3 V empty … 4.2 V full), the range of the Muse's fuel-gauge
// readings (muse-ble-protocol §6.4: e.g. 4083 mV).

/** How often a BatteryFrame is sent. The Muse's telemetry rate is disputed (0.1–1 Hz, §6.4). */
export const BATTERY_REPORT_MS = 5000;

export interface BatteryReading {
  levelPct: number;
  voltageMv: number;
}

export function batteryAt(startPct: number, drainPctPerHour: number, elapsedMs: number): BatteryReading {
  const level = Math.max(0, startPct - (drainPctPerHour * elapsedMs) / 3_600_000);
  return { levelPct: Math.round(level * 10) / 10, voltageMv: Math.round(3300 + 9 * level) };
}
