// Addresses and credentials for devices reached over the network rather than found by a scan:
// the OpenBCI WiFi Shield and Galea IPs (`POST /v1/control/scanner/wifi-config`, kept in
// settings `openbci` as the reference's openbci-config does) and the Emotiv Cortex app
// credentials (`…/cortex-config`, kept in settings `device_api`). They are stored for clients;
// this daemon has no WiFi-shield or Cortex source. The Cortex secret is never sent back whole.
import type { SettingsStore, UserSettings } from '../settings/settingsStore.ts';

export interface WifiConfig {
  wifi_shield_ip: string;
  galea_ip: string;
}

export interface CortexCredentials {
  emotiv_client_id: string;
  emotiv_client_secret: string;
}

export const WIFI_UNSUPPORTED = 'OpenBCI WiFi Shield and Galea discovery is not supported by skill-daemon; the addresses are stored';
export const CORTEX_UNSUPPORTED = 'Emotiv Cortex is not supported by skill-daemon; the credentials are stored';

const section = (settings: Readonly<UserSettings>, key: string): Record<string, unknown> => {
  const v = settings[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};
const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function wifiConfig(settings: Readonly<UserSettings>): WifiConfig {
  const s = section(settings, 'openbci');
  return { wifi_shield_ip: text(s.wifi_shield_ip), galea_ip: text(s.galea_ip) };
}

export function setWifiConfig(store: SettingsStore, patch: Partial<WifiConfig>): WifiConfig {
  store.update({ openbci: { ...section(store.get(), 'openbci'), ...patch } });
  return wifiConfig(store.get());
}

export function cortexCredentials(settings: Readonly<UserSettings>): CortexCredentials {
  const s = section(settings, 'device_api');
  return { emotiv_client_id: text(s.emotiv_client_id), emotiv_client_secret: text(s.emotiv_client_secret) };
}

export function setCortexCredentials(store: SettingsStore, patch: Partial<CortexCredentials>): CortexCredentials {
  store.update({ device_api: { ...section(store.get(), 'device_api'), ...patch } });
  return cortexCredentials(store.get());
}

/** A secret as it may be shown: its last four characters when it is long enough to spare them. */
export function maskSecret(secret: string): string {
  if (secret === '') return '';
  return secret.length >= 16 ? `••••${secret.slice(-4)}` : '••••';
}
