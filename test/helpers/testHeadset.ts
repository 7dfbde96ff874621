// The two-channel headset the recorder tests record from (EEG at 256 Hz, PPG at 64 Hz, an IMU).
import type { DeviceInfo } from '../../actors/devices/source.ts';

export const TEST_HEADSET: DeviceInfo = {
  name: 'Test headset', kind: 'virtual', id: 'virtual', channelNames: ['TP9', 'AF7'], eegSampleRateHz: 256,
  ppgChannelNames: ['ambient', 'infrared', 'red'], ppgSampleRateHz: 64, imuChannelNames: ['accel', 'gyro'],
};
