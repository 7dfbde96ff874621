// Every statechart the actor tree runs, by the name its child spec gives (`ChildSpec.machine`),
// so the visualizer can draw an actor's machine from the same object the actor was built from.
// `downloads` runs one `download` statechart per file; its entry is that per-file machine.
import type { AnyStateMachine } from 'xstate';
import { deviceMachine } from './device.ts';
import { downloadMachine } from './download.ts';
import { encoderMachine } from './encoder.ts';
import { llmServerMachine } from './llmServer.ts';
import { recorderMachine } from './recorder.ts';
import { reembedMachine } from './reembed.ts';
import { scannerMachine } from './scanner.ts';
import { screenshotCaptureMachine } from './screenshotCapture.ts';
import { searchIndexMachine } from './searchIndex.ts';
import { supervisorMachine } from './supervisor.ts';
import { watchdogMachine } from './watchdog.ts';

export const MACHINE_CATALOG: Readonly<Record<string, AnyStateMachine>> = {
  supervisor: supervisorMachine,
  watchdog: watchdogMachine,
  device: deviceMachine,
  recorder: recorderMachine,
  downloads: downloadMachine,
  searchIndex: searchIndexMachine,
  encoder: encoderMachine,
  scanner: scannerMachine,
  reembed: reembedMachine,
  screenshotCapture: screenshotCaptureMachine,
  llmServer: llmServerMachine,
};
