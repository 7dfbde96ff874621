// The Do Not Disturb engine's I/O (machines/dndEngine.ts): the focus score and SNR of every
// `EegBands` snapshot as ticks, the end of a device session, live changes of the `do_not_disturb`
// settings, the on/off command (Linux; events only elsewhere), and the events and status the
// reference defines: `dnd-state-changed` (true/false) on enter and exit, `dnd-eligibility` with
// the counters on every tick while the engine is enabled or DND is on, a `toast` on exit when
// `exit_notification` is set, and `GET /v1/settings/dnd/status`.
import { fromCallback, fromPromise, type AnyActorLogic } from 'xstate';
import {
  dndEngineMachine,
  EXIT_MESSAGES,
  exitWindowSize,
  TICKS_PER_SEC,
  windowSize,
  type ApplyInput,
  type ApplyResult,
  type DndEngineConfig,
  type DndEngineContext,
  type DndEngineEvent,
  type DndEngineInput,
} from '../../machines/dndEngine.ts';
import { describeRun, runCommand, succeeded } from '../commands/runCommand.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import { dndConfigSection } from '../settings/dndConfig.ts';
import { readSection } from '../settings/settingsSection.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { DND_COMMANDS_RUN, dndCommandSection } from './dndCommandConfig.ts';

export interface DoNotDisturbDeps {
  bus: EventBus;
  log: DaemonLog;
  settings: SettingsStore;
  /** Whether the on/off command runs here (default: on Linux only). */
  commandsRun?: boolean;
}

type DndSnapshot = { value: unknown; context: DndEngineContext; status: string };

/** States in which the system's DND is on (leaving: on until the exit command succeeds). */
const ON_STATES = ['active', 'leaving', 'exit_retry'];

const round2 = (x: number) => Math.round(x * 100) / 100;

export class DoNotDisturb {
  #snapshot: DndSnapshot | null = null;
  #publishedTick = 0;

  constructor(private readonly deps: DoNotDisturbDeps) {}

  /** The engine's config as stored now. */
  config(): DndEngineConfig {
    return readSection(this.deps.settings.get(), dndConfigSection);
  }

  input(): DndEngineInput {
    return { config: this.config() };
  }

  logic(): AnyActorLogic {
    const { bus, log, settings } = this.deps;
    const commandsRun = this.deps.commandsRun ?? DND_COMMANDS_RUN;
    return dndEngineMachine.provide({
      actors: {
        feed: fromCallback<DndEngineEvent>(({ sendBack }) => {
          const offBus = bus.subscribe((e) => {
            if (e.type === 'EegBands') {
              const p = e.payload as { focus?: unknown; snr?: unknown };
              if (typeof p.focus === 'number' && Number.isFinite(p.focus)) {
                sendBack({ type: 'dnd.tick', focus: p.focus, snr: typeof p.snr === 'number' && Number.isFinite(p.snr) ? p.snr : 0 });
              }
            } else if (e.type === 'DeviceDisconnected') {
              sendBack({ type: 'dnd.signal_lost' });
            }
          });
          const offSettings = settings.onChange((_next, changed) => {
            if (changed.includes('do_not_disturb')) sendBack({ type: 'dnd.configure', config: this.config() });
          });
          // One event once the actor is running, so its first snapshot reaches observers that
          // subscribe after the actor tree starts (the status route reads that snapshot).
          const hello = setImmediate(() => sendBack({ type: 'dnd.configure', config: this.config() }));
          return () => {
            clearImmediate(hello);
            offBus();
            offSettings();
          };
        }),
        apply: fromPromise<ApplyResult, ApplyInput>(async ({ input }) => {
          const command = readSection(settings.get(), dndCommandSection);
          const argv = input.enable ? command.enter_argv : command.exit_argv;
          if (!commandsRun || argv.length === 0) return { commandRan: false };
          const run = await runCommand(argv, { timeoutMs: command.timeout_secs * 1000, env: { SKILL_DND: input.enable ? '1' : '0', SKILL_DND_MODE: input.modeId } });
          if (!succeeded(run)) {
            log.warn('dnd', `turning DND ${input.enable ? 'on' : 'off'} failed: ${describeRun(run)}`);
            throw new Error(describeRun(run));
          }
          log.info('dnd', `DND ${input.enable ? 'on' : 'off'}: ${describeRun(run)}`);
          return { commandRan: true };
        }),
      },
      actions: {
        announceEnter: ({ context }) => {
          log.info('dnd', `focus ${context.avgScore.toFixed(1)} ≥ ${context.config.focus_threshold} for ${context.config.duration_secs} s: Do Not Disturb on`);
          bus.publish('dnd-state-changed', true);
        },
        announceExit: ({ context }) => {
          const reason = context.exitReason ?? 'focus';
          log.info('dnd', `Do Not Disturb off (${reason})`);
          bus.publish('dnd-state-changed', false);
          if (context.config.exit_notification) bus.publish('toast', { level: 'info', title: 'Focus mode exited', message: EXIT_MESSAGES[reason] });
        },
      },
    });
  }

  /** Every snapshot of the `dnd` actor: kept for the status route, and one `dnd-eligibility` per tick. */
  readonly onSnapshot = (snapshot: unknown): void => {
    const s = snapshot as DndSnapshot;
    if (!s || typeof s !== 'object' || !('context' in s)) return;
    this.#snapshot = s;
    if (s.context.ticks === this.#publishedTick) return;
    this.#publishedTick = s.context.ticks;
    const status = this.status();
    if (!status.enabled && !status.dnd_active) return;
    this.deps.bus.publish('dnd-eligibility', {
      enabled: status.enabled,
      focus_score: status.focus_score,
      avg_score: status.avg_score,
      sample_count: status.sample_count,
      window_size: status.window_size,
      threshold: status.threshold,
      dnd_active: status.dnd_active,
      below_ticks: status.below_ticks,
      exit_window_size: status.exit_window_size,
      exit_secs_remaining: status.exit_secs_remaining,
      exit_duration_secs: status.exit_duration_secs,
      exit_held_by_lookback: status.exit_held_by_lookback,
      focus_lookback_secs: status.focus_lookback_secs,
      os_active: status.os_active,
    });
  };

  /** `GET /v1/settings/dnd/status`: the reference's fields, from the running engine. */
  status() {
    const s = this.#snapshot;
    const c = s?.context;
    const config = c?.config ?? this.config();
    const state = s ? stateName(s.value) : 'stopped';
    const active = ON_STATES.some((x) => state === x || state.startsWith(`${x}.`));
    const avg = c?.avgScore ?? 0;
    const exitWindow = exitWindowSize(config);
    const below = c?.belowTicks ?? 0;
    const exitHeld = c?.exitHeld ?? false;
    const counting = active && avg < config.focus_threshold && !exitHeld;
    return {
      enabled: config.enabled,
      avg_score: round2(avg),
      threshold: config.focus_threshold,
      sample_count: c?.focusWindow.length ?? 0,
      window_size: windowSize(config),
      duration_secs: config.duration_secs,
      dnd_active: active,
      // The system's own DND state is not read back (the reference polled macOS for it).
      os_active: null,
      last_error: c?.lastError ?? null,
      exit_duration_secs: config.exit_duration_secs,
      below_ticks: below,
      exit_window_size: exitWindow,
      exit_secs_remaining: counting ? Math.max(0, exitWindow - below) / TICKS_PER_SEC : 0,
      focus_lookback_secs: config.focus_lookback_secs,
      exit_held_by_lookback: exitHeld,
      // Ours: what the engine is doing and has done.
      state,
      focus_score: c?.lastFocus ?? null,
      snr_db: c?.lastSnr ?? null,
      snr_low_ticks: c?.snrLowTicks ?? 0,
      ticks: c?.ticks ?? 0,
      activations: c?.activations ?? 0,
      exits: c?.exits ?? 0,
      activated_at: c?.activatedAt ?? null,
      deactivated_at: c?.deactivatedAt ?? null,
      exit_reason: c?.exitReason ?? null,
      command_applied: c?.commandApplied ?? false,
      commands_run: this.deps.commandsRun ?? DND_COMMANDS_RUN,
    };
  }
}

/** `active.exiting` for `{active: "exiting"}`. */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? [];
    return k === undefined ? '' : `${k}.${stateName(v)}`;
  }
  return '';
}
