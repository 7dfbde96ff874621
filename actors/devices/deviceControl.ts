// What session-control requests ask of the device actor, with the reference's rules: one
// session at a time, BLE devices paired first, and a target chosen when none is given.
import type { DeviceEvent } from '../../machines/device.ts';
import type { ActorSystem } from '../system.ts';
import type { DeviceState } from './deviceState.ts';
import type { DeviceStatus } from './deviceStatus.ts';
import type { PairedDevices } from './pairedDevices.ts';
import { parseTarget, TargetError } from './targets.ts';

export const NO_TARGET = 'No target device selected. Set a default device and try again.';
export const NOT_PAIRED = 'Target device is not paired. Pair it first in Settings → Devices.';

/** `invalid`: the request names something impossible (422); `conflict`: not now (409). */
export class ControlError extends Error {
  constructor(readonly kind: 'invalid' | 'conflict' | 'unavailable', message: string) {
    super(message);
  }
}

export class DeviceControl {
  constructor(
    private readonly actors: ActorSystem,
    private readonly state: DeviceState,
    private readonly paired: PairedDevices,
  ) {}

  start(target: string | undefined): DeviceStatus {
    const chosen = target ?? this.defaultTarget();
    this.check(chosen);
    const current = this.state.context?.target ?? null;
    const inSession = this.state.status().state !== 'disconnected';
    if (inSession && current !== null) {
      // The same target again is a no-op; another device needs switch-session.
      if (current.toLowerCase() === chosen.toLowerCase()) return this.state.status();
      throw new ControlError('conflict', `a session with "${current}" is active; use /v1/control/switch-session to change device`);
    }
    return this.send({ type: 'device.start', target: chosen });
  }

  switch(target: string): DeviceStatus {
    this.check(target);
    if (this.state.status().state === 'disconnected' && !this.state.reconnectState().pending) return this.send({ type: 'device.start', target });
    return this.send({ type: 'device.switch', target });
  }

  cancel(): DeviceStatus {
    return this.send({ type: 'device.cancel' });
  }

  retry(): DeviceStatus {
    if (this.state.reconnectState().pending) return this.send({ type: 'device.retry' });
    if (this.state.status().state !== 'disconnected') return this.state.status();
    return this.start(undefined);
  }

  cancelRetry(): DeviceStatus {
    return this.send({ type: 'device.cancelRetry' });
  }

  enableReconnect(): DeviceStatus {
    return this.send({ type: 'device.enableReconnect' });
  }

  disableReconnect(): DeviceStatus {
    return this.send({ type: 'device.disableReconnect' });
  }

  /** The last target, else the preferred paired device, else the first paired one. */
  private defaultTarget(): string {
    const last = this.state.context?.target;
    if (last) return last;
    const preferred = this.paired.preferredId;
    if (preferred && this.paired.has(preferred)) return preferred;
    const first = this.paired.all()[0];
    if (first) return first.id;
    throw new ControlError('conflict', NO_TARGET);
  }

  private check(target: string): void {
    let parsed;
    try {
      parsed = parseTarget(target);
    } catch (err) {
      if (err instanceof TargetError) throw new ControlError('invalid', err.message);
      throw err;
    }
    if (parsed.needsPairing && !this.paired.has(target)) throw new ControlError('conflict', NOT_PAIRED);
  }

  private send(event: DeviceEvent): DeviceStatus {
    if (!this.actors.send('device', event)) throw new ControlError('unavailable', 'the device actor is not running (see GET /v1/debug/actors)');
    return this.state.status();
  }
}
