// Muse GATT identifiers (protocol reference §2), spelled the way noble reports them: lowercase
// hex without dashes. Everything that routes a notification or picks a characteristic goes
// through this table so the routing is tested together with the arithmetic.

/** Service 0xFE8D (registered to Interaxon); every Muse characteristic lives inside it. */
export const MUSE_SERVICE = 'fe8d';

/** `273eXXXX-4c4d-454d-96be-f03bac821358` for a 4-hex-digit short id, in noble spelling. */
export function museCharacteristic(short: string): string {
  return `273e${short}4c4d454d96bef03bac821358`;
}

/** Normalise any spelling (`273e0003-4C4D-…`, `0xFE8D`, `fe8d`) to noble's. */
export function nobleUuid(uuid: string): string {
  return uuid.toLowerCase().replace(/^0x/, '').replaceAll('-', '');
}

export const MUSE_CONTROL = museCharacteristic('0001');
export const MUSE_GYROSCOPE = museCharacteristic('0009');
export const MUSE_ACCELEROMETER = museCharacteristic('000a');
export const MUSE_TELEMETRY = museCharacteristic('000b');
/** Present only on Athena firmware (§1, §10.1): everything multiplexed on these two. */
export const MUSE_ATHENA_DATA = museCharacteristic('0013');
export const MUSE_ATHENA_DATA_2 = museCharacteristic('0014');

/** EEG characteristics in electrode order; the names are the protocol's, not ours (§2). */
export const MUSE_EEG_CHANNELS = [
  { name: 'TP9', uuid: museCharacteristic('0003') },
  { name: 'AF7', uuid: museCharacteristic('0004') },
  { name: 'AF8', uuid: museCharacteristic('0005') },
  { name: 'TP10', uuid: museCharacteristic('0006') },
  { name: 'AUX', uuid: museCharacteristic('0007') },
] as const;

/**
 * PPG characteristics in channel order, named as on the Muse 2. On a Muse S the three
 * characteristics carry other signals whose meaning is not settled (§6.2); the order is kept.
 */
export const MUSE_PPG_CHANNELS = [
  { name: 'ambient', uuid: museCharacteristic('000f') },
  { name: 'infrared', uuid: museCharacteristic('0010') },
  { name: 'red', uuid: museCharacteristic('0011') },
] as const;

export const MUSE_IMU_CHANNEL_NAMES = ['accel_x', 'accel_y', 'accel_z', 'gyro_x', 'gyro_y', 'gyro_z'];
