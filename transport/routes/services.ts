// What route handlers may use. Handlers reach subsystems through this interface only, so a
// route group can be read (and tested) without knowing how the daemon is assembled.
import type { ActorSystem } from '../../actors/system.ts';
import type { DefaultToken } from '../../actors/auth/defaultToken.ts';
import type { TokenStore } from '../../actors/auth/tokenStore.ts';
import type { DaemonConfig } from '../../actors/config.ts';
import type { DeviceControl } from '../../actors/devices/deviceControl.ts';
import type { DeviceState } from '../../actors/devices/deviceState.ts';
import type { Downloads } from '../../actors/downloads/downloads.ts';
import type { ExgWeightDownloads } from '../../actors/downloads/exgWeightDownloads.ts';
import type { EegEncoder } from '../../actors/embeddings/eegEncoder.ts';
import type { TextModels } from '../../actors/embeddings/textModels.ts';
import type { ReembedScheduler } from '../../actors/reembed/reembedScheduler.ts';
import type { Llm } from '../../actors/llm/llm.ts';
import type { Labels } from '../../actors/labels/labels.ts';
import type { GlobalSearch } from '../../actors/search/globalSearch.ts';
import type { InteractiveSearch } from '../../actors/search/interactiveSearch.ts';
import type { PairedDevices } from '../../actors/devices/pairedDevices.ts';
import type { ScannerState } from '../../actors/scanner/scannerState.ts';
import type { HookEngine } from '../../actors/hooks/hookEngine.ts';
import type { DoNotDisturb } from '../../actors/dnd/doNotDisturb.ts';
import type { ScreenshotWorker } from '../../actors/screenshots/screenshotWorker.ts';
import type { LslAutoConnect } from '../../actors/devices/lslAutoConnect.ts';
import type { DiscoveredLslStream } from '../../actors/devices/lsl/lslSource.ts';
import type { VirtualOutlet, VirtualOutletState } from '../../actors/devices/virtualOutlet.ts';
import type { VirtualSourceOptions } from '../../actors/devices/virtual/virtualOptions.ts';
import type { EventBus } from '../../actors/eventBus.ts';
import type { DaemonLog } from '../../actors/log.ts';
import type { SettingsStore } from '../../actors/settings/settingsStore.ts';
import type { RemoteAccess } from '../../actors/remote/remoteAccess.ts';
import type { RemoteAuthStore } from '../../actors/remote/remoteAuthStore.ts';
import type { ServiceInstaller } from '../../actors/service/serviceInstaller.ts';
import type { WsClientInfo } from '../eventsSocket.ts';

export interface RouteServices {
  config: DaemonConfig;
  version: string;
  log: DaemonLog;
  bus: EventBus;
  defaultToken: DefaultToken;
  tokens: TokenStore;
  settings: SettingsStore;
  actors: ActorSystem;
  device: DeviceState;
  deviceControl: DeviceControl;
  paired: PairedDevices;
  /** The device scanner: its state, start/stop, and what it sees now. */
  scanner: ScannerState;
  lslAutoConnect: LslAutoConnect;
  latestBands(): object | null;
  discoverLsl(timeoutMs: number): Promise<DiscoveredLslStream[]>;
  virtualOutlet: VirtualOutlet;
  /** Publishes the virtual headset over LSL and makes these the `virtual` target's options. */
  startVirtualSource(options: VirtualSourceOptions): Promise<VirtualOutletState>;
  isReady(): boolean;
  port(): number;
  wsClients(): WsClientInfo[];
  /** The downloads manager (every kind of download). */
  downloads: Downloads;
  /** EEG encoder weights downloads; `status()` gives the download fields of GET /v1/models/status. */
  exgWeights: ExgWeightDownloads;
  /** The EEG encoder: state, timings, `encodeEpochs`, and `stored.onStored` for every embedding written. */
  encoder: EegEncoder;
  /** The reembed scheduler: trigger, estimate, run history. */
  reembed: ReembedScheduler;
  /** The local LLM: server, catalog, downloads, config, log. */
  llm: Llm;
  /** The text embedding model: which one is in use, the ones in `<data>/models/text/`, switching. */
  textModels: TextModels;
  /** Labels: labels.sqlite, the text/context/EEG label indices, and `labelsAt` for search results. */
  labels: Labels;
  /** EEG similarity search: the global index, range searches, its stats and rebuild. */
  search: GlobalSearch;
  /** The text-query search graph of POST /v1/search/eeg (labels → epochs around them → labels near those). */
  interactiveSearch: InteractiveSearch;
  /** The opt-in TLS listener for remote clients: its state, address and certificate. */
  remoteAccess: RemoteAccess;
  /** TOTP credentials and registered remote clients (remote_auth.json). */
  remoteClients: RemoteAuthStore;
  /** The systemd user unit / LaunchAgent behind /service/*. */
  service: ServiceInstaller;
  /** Hooks: the rules, the engine evaluating live embeddings, its statuses and hooks.sqlite. */
  hooks: HookEngine;
  /** The Do Not Disturb engine's status. */
  dnd: DoNotDisturb;
  /** The screenshot capture worker: its store (screenshots.sqlite, OCR text index), metrics and folder. */
  screenshots: ScreenshotWorker;
}
