// Builds the actor tree: a root supervisor started from the child-spec table below. Adding a
// subsystem means adding a row. The root gives up on a child that exceeds its restart
// intensity (and reports it) rather than taking the process down.
import { createActor, type Actor, type AnyActorLogic, type AnyActorRef, type InspectionEvent } from 'xstate';
import { supervisorMachine, type ChildSpec } from '../machines/supervisor.ts';
import { describeTree, liveness, TransitionLog, type ActorNode } from './actorTree.ts';
import type { EventBus } from './eventBus.ts';
import { ActorHeartbeats, type Beating } from './actorHeartbeat.ts';
import { FAULT_EVENT, withFaultInjection, type FaultMode } from './faults.ts';
import { DEFAULT_SUPERVISION, type SupervisionConfig } from './supervisionConfig.ts';
import type { DaemonLog } from './log.ts';
import type { SettingsStore } from './settings/settingsStore.ts';
import { watchdogLogic } from './watchdog/watchdogActor.ts';
import { deviceLogic, type DeviceActorDeps } from './devices/deviceActor.ts';
import type { DeviceMachineInput } from '../machines/device.ts';

export interface ActorSystemDeps {
  bus: EventBus;
  log: DaemonLog;
  settings: SettingsStore;
  faultInjection: boolean;
  /** Restart intensity, backoff and heartbeat of every child (default: DEFAULT_SUPERVISION). */
  supervision?: SupervisionConfig;
  watchdogSampleMs?: number;
  device: DeviceActorDeps & { input: () => DeviceMachineInput };
  /** The recorder's logic (actors/recorder/recorderActor.ts); absent in tests that need no recording. */
  recorder?: AnyActorLogic;
  /** The downloads manager's logic (actors/downloads/downloadsActor.ts). */
  downloads?: AnyActorLogic;
  /** The EEG encoder's logic (actors/embeddings/eegEncoder.ts): its worker thread and model. */
  encoder?: AnyActorLogic;
  /** The device scanner (actors/scanner/scannerActor.ts); its input is read at every (re)start. */
  scanner?: { logic: AnyActorLogic; input: () => unknown };
  /** The reembed scheduler (actors/reembed/reembedScheduler.ts); its input is read at every (re)start. */
  reembed?: { logic: AnyActorLogic; input: () => unknown };
  /** The global search index (actors/search/globalSearch.ts): its thread and the index it owns. */
  search?: AnyActorLogic;
  /** The LLM server (actors/llm/llmServer.ts): its llama.cpp process; input read at every (re)start. */
  llm?: { logic: AnyActorLogic; input: () => unknown };
  /** The Do Not Disturb engine (actors/dnd/doNotDisturb.ts); its input (the stored config) is read at every (re)start. */
  dnd?: { logic: AnyActorLogic; input: () => unknown };
  /** The screenshot capture worker (actors/screenshots/screenshotWorker.ts); its input is read at every (re)start. */
  screenshots?: { logic: AnyActorLogic; input: () => unknown };
  /** Sees every inspection event of the tree too (the Stately inspector with --inspect). */
  inspect?: (ev: InspectionEvent) => void;
}

export const ROOT_ID = 'root';

export interface ActorSystem {
  tree(): ActorNode;
  liveness(): { total: number; alive: number; givenUp: string[] };
  /** Delivers an event to an actor by id; false when no such actor is running. */
  send(id: string, event: { type: string; [k: string]: unknown }): boolean;
  injectFault(id: string, mode?: FaultMode): boolean;
  /** Calls `listener` with every new snapshot of the actor with this id, across restarts. */
  observe(id: string, listener: (snapshot: unknown) => void): () => void;
  /** Stops every actor, children in reverse start order. */
  shutdown(): void;
}

export function startActorSystem(deps: ActorSystemDeps): ActorSystem {
  const supervision = deps.supervision ?? DEFAULT_SUPERVISION;
  const standard = { restart: 'permanent' as const, intensity: supervision.intensity, backoff: supervision.backoff };
  const transitions = new TransitionLog(deps.bus);
  const observers = new Map<string, Set<(snapshot: unknown) => void>>();
  const inspect = (ev: InspectionEvent) => {
    transitions.inspect(ev);
    deps.inspect?.(ev);
    if (ev.type !== '@xstate.snapshot') return;
    const listeners = observers.get((ev.actorRef as AnyActorRef).id);
    if (!listeners) return;
    for (const l of listeners) {
      try {
        l(ev.snapshot);
      } catch (err) {
        deps.log.error('actors', `snapshot observer failed: ${(err as Error).stack ?? err}`);
      }
    }
  };
  let system: ActorSystem | null = null;
  const heartbeats = new ActorHeartbeats();
  // The fault wrapper sits outside the heartbeat's, so a hung actor leaves heartbeats unanswered.
  const wrap = (logic: AnyActorLogic, id: string) => {
    const beating = heartbeats.wrap(logic);
    return deps.faultInjection ? withFaultInjection(beating, id) : beating;
  };

  const watchdogInput = () => {
    const s = deps.settings.get();
    return { enabled: s.daemon_auto_restart, timeoutSecs: s.daemon_restart_timeout_secs, lagBudgetMs: 200 };
  };

  const specs: ChildSpec[] = [
    {
      id: 'watchdog',
      machine: 'watchdog',
      logic: wrap(
        watchdogLogic({ bus: deps.bus, liveness: () => system?.liveness() ?? { total: 0, alive: 0, givenUp: [] }, sampleIntervalMs: deps.watchdogSampleMs ?? 2_000 }),
        'watchdog',
      ),
      input: watchdogInput,
      ...standard,
    },
    {
      id: 'device',
      machine: 'device',
      logic: wrap(deviceLogic(deps.device), 'device'),
      input: deps.device.input,
      ...standard,
    },
    // After the device: shutdown stops children in reverse, so the recorder finishes its segment
    // as "shutdown" before the device session closes underneath it.
    ...(deps.recorder ? [{ id: 'recorder', machine: 'recorder', logic: wrap(deps.recorder, 'recorder'), input: () => ({}), ...standard }] : []),
    ...(deps.downloads ? [{ id: 'downloads', machine: 'downloads', logic: wrap(deps.downloads, 'downloads'), input: () => ({}), ...standard }] : []),
    // Before the encoder and reembed: shutdown stops them first, so their last vectors reach the index before it is saved.
    ...(deps.search ? [{ id: 'search', machine: 'searchIndex', logic: wrap(deps.search, 'search'), input: () => ({}), ...standard }] : []),
    ...(deps.encoder ? [{ id: 'encoder', machine: 'encoder', logic: wrap(deps.encoder, 'encoder'), input: () => ({}), ...standard }] : []),
    ...(deps.scanner ? [{ id: 'scanner', machine: 'scanner', logic: wrap(deps.scanner.logic, 'scanner'), input: deps.scanner.input, ...standard }] : []),
    ...(deps.reembed ? [{ id: 'reembed', machine: 'reembed', logic: wrap(deps.reembed.logic, 'reembed'), input: deps.reembed.input, ...standard }] : []),
    ...(deps.dnd ? [{ id: 'dnd', machine: 'dndEngine', logic: wrap(deps.dnd.logic, 'dnd'), input: deps.dnd.input, ...standard }] : []),
    ...(deps.screenshots ? [{ id: 'screenshots', machine: 'screenshotCapture', logic: wrap(deps.screenshots.logic, 'screenshots'), input: deps.screenshots.input, ...standard }] : []),
    // Last, so shutdown stops it first (the reference frees the model before anything else).
    ...(deps.llm ? [{ id: 'llm', machine: 'llmServer', logic: wrap(deps.llm.logic, 'llm'), input: deps.llm.input, ...standard }] : []),
  ];

  const root: Actor<typeof supervisorMachine> = createActor(supervisorMachine, {
    id: ROOT_ID,
    systemId: ROOT_ID,
    input: { specs, escalation: 'give_up' },
    inspect,
  });
  root.on('child.failed', (e) => {
    const next = e.restartInMs === null ? 'not restarted (temporary)' : `restarting in ${e.restartInMs} ms`;
    deps.log.error('supervisor', `actor ${e.id} failed: ${e.error}; ${next}`);
    deps.bus.publish('actor-failed', { actor: e.id, error: e.error, restart_in_ms: e.restartInMs });
  });
  root.on('child.restarted', (e) => {
    deps.log.warn('supervisor', `actor ${e.id} restarted (restart #${e.restarts})`);
    deps.bus.publish('actor-restarted', { actor: e.id, restarts: e.restarts });
  });
  root.on('child.exited', (e) => {
    const next = e.restartInMs === null ? 'not restarted (not permanent)' : `restarting in ${e.restartInMs} ms`;
    deps.log.warn('supervisor', `actor ${e.id} exited; ${next}`);
    deps.bus.publish('actor-exited', { actor: e.id, restart_in_ms: e.restartInMs });
  });
  root.on('child.given_up', (e) => {
    deps.log.error('supervisor', `actor ${e.id} exceeded its restart intensity and was given up: ${e.error}`);
    deps.bus.publish('actor-given-up', { actor: e.id, error: e.error });
  });
  // The root has no parent: an error reaching it must be reported, never rethrown as uncaught.
  root.subscribe({ error: (err) => deps.log.error('supervisor', `root supervisor failed: ${String(err)}`) });
  root.start();

  const running = (): Beating[] => {
    const snap = root.getSnapshot();
    if (snap.status !== 'active') return [];
    const refs = snap.children as Record<string, AnyActorRef | undefined>;
    return Object.values(snap.context.children).flatMap((c) => {
      const ref = refs[c.id];
      return c.status === 'running' && ref?.getSnapshot().status === 'active' ? [{ id: c.id, ref }] : [];
    });
  };
  const stopHeartbeats = heartbeats.monitor(
    { everyMs: supervision.heartbeatMs, timeoutMs: 3 * supervision.heartbeatMs },
    running,
    (id, silentMs) => {
      deps.log.error('supervisor', `actor ${id} answered no heartbeat for ${silentMs} ms`);
      root.send({ type: 'supervisor.stalled', id, error: `no heartbeat answered for ${silentMs} ms` });
    },
  );

  const settingsOff = deps.settings.onChange((next, changed) => {
    if (changed.includes('daemon_auto_restart') || changed.includes('daemon_restart_timeout_secs')) {
      system?.send('watchdog', { type: 'watchdog.configure', enabled: next.daemon_auto_restart, timeoutSecs: next.daemon_restart_timeout_secs });
    }
  });

  system = {
    tree: () => describeTree(root, ROOT_ID, transitions),
    liveness: () => liveness(describeTree(root, ROOT_ID, transitions)),
    send: (id, event) => {
      const ref = root.system.get(id);
      if (!ref || ref.getSnapshot().status !== 'active') return false;
      ref.send(event);
      return true;
    },
    injectFault: (id, mode = 'throw') => deps.faultInjection && system!.send(id, { type: FAULT_EVENT, mode }),
    observe: (id, listener) => {
      const set = observers.get(id) ?? new Set();
      set.add(listener);
      observers.set(id, set);
      return () => set.delete(listener);
    },
    shutdown: () => {
      settingsOff();
      stopHeartbeats();
      root.send({ type: 'supervisor.shutdown' });
      root.stop();
    },
  };
  return system;
}
