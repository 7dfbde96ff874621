// Assembles the daemon: stores, event bus, actor tree, route table and the uWS transport.
// `startDaemon` is what the CLI runs and what end-to-end tests and benchmarks start.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pkg from '../package.json' with { type: 'json' };
import { DefaultToken } from '../actors/auth/defaultToken.ts';
import { TokenStore } from '../actors/auth/tokenStore.ts';
import type { DaemonConfig } from '../actors/config.ts';
import { openBluetooth, type BluetoothAvailability } from '../actors/devices/ble/bluetooth.ts';
import { DeviceControl } from '../actors/devices/deviceControl.ts';
import { deviceReporter } from '../actors/devices/deviceReporter.ts';
import { DeviceState } from '../actors/devices/deviceState.ts';
import { LiveSession } from '../actors/devices/liveSession.ts';
import { discoverStreams, lslSource } from '../actors/devices/lsl/lslSource.ts';
import { LslAutoConnect } from '../actors/devices/lslAutoConnect.ts';
import { VirtualOutlet } from '../actors/devices/virtualOutlet.ts';
import { PairedDevices } from '../actors/devices/pairedDevices.ts';
import { createScanner } from '../actors/scanner/scannerActor.ts';
import { sourceFactory } from '../actors/devices/sourceFactory.ts';
import type { VirtualSourceOptions } from '../actors/devices/virtual/virtualOptions.ts';
import { MAX_RETRY_ATTEMPTS } from '../machines/device.ts';
import type { FilterConfig } from '../actors/signal/filterConfig.ts';
import { SignalPipeline } from '../actors/signal/signalPipeline.ts';
import { shouldRunInWorker, SignalPipelineWorker } from '../actors/signal/signalPipelineWorker.ts';
import { EventBus } from '../actors/eventBus.ts';
import { DaemonLog } from '../actors/log.ts';
import { SettingsStore } from '../actors/settings/settingsStore.ts';
import { writeJsonAtomic } from '../actors/store/atomicFile.ts';
import { startActorSystem, type ActorSystem } from '../actors/system.ts';
import { createRecorder, type Recorder } from '../actors/recorder/recorderActor.ts';
import { recordingReporter } from '../actors/recorder/recordingReporter.ts';
import { Downloads } from '../actors/downloads/downloads.ts';
import { downloadsLogic } from '../actors/downloads/downloadsActor.ts';
import { ExgWeightDownloads } from '../actors/downloads/exgWeightDownloads.ts';
import { HubToken } from '../actors/downloads/hubToken.ts';
import { EegEncoder } from '../actors/embeddings/eegEncoder.ts';
import { ReembedScheduler } from '../actors/reembed/reembedScheduler.ts';
import { createLlm } from '../actors/llm/llm.ts';
import { Labels } from '../actors/labels/labels.ts';
import { TextModels } from '../actors/embeddings/textModels.ts';
import { textModel } from '../actors/embeddings/textEncoder.ts';
import { InteractiveSearch } from '../actors/search/interactiveSearch.ts';
import { ScreenshotWorker } from '../actors/screenshots/screenshotWorker.ts';
import { GlobalSearch } from '../actors/search/globalSearch.ts';
import { HookEngine } from '../actors/hooks/hookEngine.ts';
import { DoNotDisturb } from '../actors/dnd/doNotDisturb.ts';
import { Authenticator } from '../transport/auth.ts';
import { EventsSocket } from '../transport/eventsSocket.ts';
import { HostGuard } from '../transport/hostGuard.ts';
import { createHttpHandler, DEFAULT_MAX_BODY_BYTES } from '../transport/httpHandler.ts';
import { RateLimiter } from '../transport/rateLimits.ts';
import { buildRouteTable } from '../transport/routeTable.ts';
import { Router } from '../transport/router.ts';
import { EVENTS_PATH } from '../transport/routes/events.ts';
import type { RouteServices } from '../transport/routes/services.ts';
import { listen, type HttpServer } from '../transport/server.ts';
import { PROTOCOL_VERSION } from '../actors/config.ts';
import { advertiseMdns, type MdnsAdvertisement } from '../actors/discovery/mdnsAdvertiser.ts';
import { RemoteAccess } from '../actors/remote/remoteAccess.ts';
import { RemoteAuthStore } from '../actors/remote/remoteAuthStore.ts';
import { anyHost, RemoteAuthenticator } from '../transport/remoteAuth.ts';
import { daemonServiceInstaller } from './daemonService.ts';

export const DAEMON_VERSION: string = pkg.version;

/** Event types too frequent to send unasked: a client gets them only by subscribing by name. */
export const OPT_IN_EVENTS: ReadonlySet<string> = new Set(['EegSample']);

export interface Daemon {
  port: number;
  url: string;
  tokenFile: string;
  log: DaemonLog;
  bus: EventBus;
  actors: ActorSystem;
  /**
   * Publishes DaemonShutdown, stops actors in reverse order, closes sockets, removes run files;
   * resolves once the recording in progress is finished on disk (sidecar written).
   */
  stop(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig): Promise<Daemon> {
  const log = new DaemonLog(config.logToStderr);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const defaultToken = new DefaultToken(path.join(config.daemonConfigDir, 'auth.token'), config.tokenOverride);
  const tokens = new TokenStore(config.dataDir);
  const settings = new SettingsStore(config.dataDir);
  const bus = new EventBus();
  const paired = new PairedDevices(config.dataDir, settings);
  const device = new DeviceState(paired);
  const filterSettings = () => (settings.get().filter_config as Partial<FilterConfig> | undefined) ?? {};
  // Large montages are analysed on a worker thread so the event loop stays responsive.
  const live = new LiveSession(device, paired, bus, log, (info) =>
    shouldRunInWorker(info.channelNames.length, info.eegSampleRateHz)
      ? new SignalPipelineWorker({ channelNames: info.channelNames, sampleRateHz: info.eegSampleRateHz, ppgChannelNames: info.ppgChannelNames, filter: filterSettings() })
      : SignalPipeline.forDevice(info, filterSettings()),
  );
  const recorder: Recorder = createRecorder({
    dataDir: config.dataDir,
    overlapSecs: () => Number(settings.get().embedding_overlap_secs ?? 0),
    endState: () => ({ batteryPct: device.live.battery, channelQuality: [...device.live.channelQuality] }),
    onRepaired: (csvPaths) => log.warn('recorder', `finished ${csvPaths.length} session(s) left unfinished by the last run: ${csvPaths.join(', ')}`),
  });
  live.tap(recorder.link);
  // Sessions a killed run left unfinished are completed before anything can list them.
  await recorder.writer.start();
  const lslIdleMs = () => Number(settings.get().lsl_idle_timeout_secs ?? 15) * 1000;
  let bluetooth: Promise<BluetoothAvailability> | null = null;
  let virtualOptions: VirtualSourceOptions = {};
  const createSource = sourceFactory({
    network: config.network,
    virtualOptions: () => virtualOptions,
    bluetooth: () => (bluetooth ??= openBluetooth()),
    lslSource: (target) => lslSource({ target, network: config.network, idleTimeoutMs: lslIdleMs(), sessionId: config.lslSessionId }),
    log: (level, message) => log.write(level, 'device', message),
  });
  const hubToken = new HubToken(config.hfEndpoint, config.hubToken);
  const hubAuthorization = (url: URL) => hubToken.authorization(url);
  const downloads = new Downloads({ dataDir: config.dataDir, network: config.network, warn: (m) => log.warn('downloads', m), authorization: hubAuthorization });
  const exgWeights = new ExgWeightDownloads({ downloads, dataDir: config.dataDir, hfEndpoint: config.hfEndpoint, bus });
  const encoder = new EegEncoder({ dataDir: config.dataDir, bus, log, writer: recorder.writer, inferenceDevice: () => String(settings.get().exg_inference_device ?? 'auto') });
  recorder.link.onEpoch = encoder.onEpoch;
  const reembed = new ReembedScheduler({
    dataDir: config.dataDir,
    bus,
    log,
    settings,
    encoder,
    deviceState: () => device.status().state,
    weightsDownloading: () => exgWeights.status().downloading_weights,
  });
  // The stored text model loads before the labels first embed anything with it.
  const textModels = new TextModels({ dataDir: config.dataDir, settings, log });
  const textModelRestored = textModels.restore();
  const labels = new Labels({ dataDir: config.dataDir, log, settings, textModel: () => textModelRestored.then(textModel) });
  labels.start();
  // New embeddings in a label's window move its EEG node.
  encoder.stored.onStored(labels.onEegStored);
  // Every stored embedding, live or re-embedded, enters the global search index.
  const search = new GlobalSearch({ dataDir: config.dataDir, bus, log });
  encoder.stored.onStored(search.onStored);
  search.labelsAt = (unixSecs) => labels.labelsAt(unixSecs);
  const interactiveSearch = new InteractiveSearch({ dataDir: config.dataDir, labels });
  encoder.stored.onStored(interactiveSearch.onEegStored);
  // Every live embedding is evaluated against the hook rules.
  const hooks = new HookEngine({ dataDir: config.dataDir, bus, log, settings, labels });
  encoder.stored.onStored(hooks.onStored);
  const dnd = new DoNotDisturb({ bus, log, settings });
  const llm = createLlm({ dataDir: config.dataDir, settings, downloads, bus, log, hfEndpoint: config.hfEndpoint, network: config.network, hubAuthorization });
  const screenshots = new ScreenshotWorker({
    dataDir: config.dataDir,
    bus,
    log,
    settings,
    deviceState: () => device.status().state,
    captureCommand: config.screenshotCommand,
  });
  const scanner = createScanner({
    settings,
    paired,
    bus,
    bluetooth: () => openBluetooth(),
    discoverLsl: (timeoutMs) => discoverStreams({ timeoutMs, network: config.network, sessionId: config.lslSessionId }),
  });
  // Loaded only with --inspect: the protocol's client libraries are not needed otherwise.
  const inspector = config.inspectUrl ? (await import('../actors/statelyInspector.ts')).startStatelyInspector(config.inspectUrl, log) : null;
  const actors = startActorSystem({
    inspect: inspector?.inspect,
    bus,
    log,
    settings,
    faultInjection: config.faultInjection,
    supervision: config.supervision,
    device: {
      createSource,
      sink: live,
      log,
      input: () => ({
        retryDelaysSecs: [1, 2, 3, 5],
        maxAttempts: MAX_RETRY_ATTEMPTS,
        idleTimeoutMs: 30_000,
        lslIdleTimeoutMs: lslIdleMs(),
        firstFrameTimeoutMs: 10_000,
        reconnectEnabled: true,
      }),
    },
    recorder: recorder.logic,
    downloads: downloadsLogic(downloads),
    encoder: encoder.logic(),
    scanner,
    reembed: { logic: reembed.logic(), input: () => reembed.input() },
    dnd: { logic: dnd.logic(), input: () => dnd.input() },
    screenshots: { logic: screenshots.logic(), input: () => screenshots.input() },
    search: search.logic(),
    llm: { logic: llm.server.logic(), input: () => llm.server.input() },
  });
  llm.server.attach((event) => actors.send('llm', event));
  scanner.attach(actors);
  actors.observe('reembed', reembed.onSnapshot);
  actors.observe('dnd', dnd.onSnapshot);
  actors.observe('screenshots', screenshots.onSnapshot);
  const deviceControl = new DeviceControl(actors, device, paired);
  const discoverLsl = (timeoutMs: number) => discoverStreams({ timeoutMs, network: config.network, sessionId: config.lslSessionId });
  const lslAutoConnect = new LslAutoConnect(settings, device, deviceControl, () => discoverLsl(2_000), log);
  const virtualOutlet = new VirtualOutlet(config.network, config.lslSessionId);
  const reporter = deviceReporter(device, bus);
  actors.observe('device', reporter.onSnapshot);
  const recording = recordingReporter(recorder.writer, bus, log);
  device.recording = recording.status;
  actors.observe('recorder', (snapshot) => {
    recording.onSnapshot(snapshot);
    device.live.csvPath = recording.status().csv_path;
    reporter.refresh();
  });
  settings.onChange((_next, changed) => {
    if (changed.includes('filter_config')) live.setFilterConfig(filterSettings());
    if (changed.includes('lsl_idle_timeout_secs')) actors.send('device', { type: 'device.configure', lslIdleTimeoutMs: lslIdleMs() });
  });

  // Remote access: TLS listener for registered clients, opened after the local one (SKILL_REMOTE_ADDR).
  const remoteClients = new RemoteAuthStore(config.dataDir);
  let remoteHandler: ReturnType<typeof createHttpHandler> | null = null;
  const remoteAccess = new RemoteAccess({
    addr: config.remoteAddr,
    certDir: path.join(config.daemonConfigDir, 'remote'),
    store: remoteClients,
    listen: (host, port, cert) => listen(host, port, (res, req) => remoteHandler!(res, req), remoteEvents, cert),
    log,
  });
  let server: HttpServer | null = null;
  let ready = false;
  const services: RouteServices = {
    config,
    version: DAEMON_VERSION,
    log,
    bus,
    defaultToken,
    tokens,
    settings,
    actors,
    device,
    deviceControl,
    paired,
    scanner: scanner.state,
    lslAutoConnect,
    latestBands: () => live.latestBands,
    discoverLsl,
    virtualOutlet,
    startVirtualSource: async (options) => {
      const state = await virtualOutlet.start(options);
      virtualOptions = options;
      return state;
    },
    isReady: () => ready,
    port: () => server?.port ?? config.port,
    wsClients: () => events.list(),
    downloads,
    exgWeights,
    encoder,
    reembed,
    labels,
    textModels,
    llm,
    search,
    interactiveSearch,
    remoteAccess,
    remoteClients,
    service: daemonServiceInstaller(config),
    hooks,
    dnd,
    screenshots,
  };
  const routes = buildRouteTable(services);
  const router = new Router(routes);
  const auth = new Authenticator(defaultToken, tokens);
  const hostGuard = new HostGuard(config.host, config.allowedHosts);
  const events = new EventsSocket({
    route: routes.find((r) => r.path === EVENTS_PATH)!,
    auth,
    hostGuard,
    now: Date.now,
    greeting: () => ({ type: 'DaemonStarted', ts_unix_ms: Date.now(), correlation_id: null, payload: { message: 'connected' } }),
    optInTypes: OPT_IN_EVENTS,
  });
  // The remote listener's own event socket: same stream, remote clients' tokens and scopes.
  const remoteAuth = new RemoteAuthenticator(remoteClients);
  const remoteEvents = new EventsSocket({
    route: routes.find((r) => r.path === EVENTS_PATH)!,
    auth: remoteAuth,
    hostGuard: anyHost,
    now: Date.now,
    greeting: () => ({ type: 'DaemonStarted', ts_unix_ms: Date.now(), correlation_id: null, payload: { message: 'connected' } }),
    optInTypes: OPT_IN_EVENTS,
  });
  remoteClients.onClientsChanged((ids) => remoteEvents.closeWhere((p) => p.kind === 'token' && ids.includes(p.id)));
  // First: the actors subscribed while starting, and clients should not wait for them.
  const unsubscribe = bus.subscribe(
    (e) => {
      events.broadcast(e);
      remoteEvents.broadcast(e);
    },
    { first: true },
  );
  bus.wants = (type) => events.wants(type) || remoteEvents.wants(type);

  const rateLimiter = RateLimiter.fromEnv(process.env.SKILL_RATE_LIMITS);
  const bootId = randomBytes(3).toString('hex');
  let requestCounter = 0;
  const handler = createHttpHandler({
    router,
    auth,
    hostGuard,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    bodyDeadlineMs: Number(process.env.SKILL_BODY_DEADLINE_MS) || undefined,
    rateLimiter,
    websocketPaths: new Set([EVENTS_PATH]),
    newRequestId: () => `${bootId}-${(++requestCounter).toString(36)}`,
    reportError: (id, routeName, err) => log.error('http', `request ${id} (${routeName}) failed: ${(err as Error)?.stack ?? String(err)}`),
  });

  try {
    server = await listen(config.host, config.port, handler, events);
  } catch (err) {
    unsubscribe();
    actors.shutdown();
    throw err;
  }
  const port = server.port;
  // The remote listener serves the same route table; only who is asking is decided differently.
  remoteHandler = createHttpHandler({
    router,
    auth: remoteAuth,
    hostGuard: anyHost,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    bodyDeadlineMs: Number(process.env.SKILL_BODY_DEADLINE_MS) || undefined,
    rateLimiter,
    websocketPaths: new Set([EVENTS_PATH]),
    newRequestId: () => `${bootId}-r${(++requestCounter).toString(36)}`,
    reportError: (id, routeName, err) => log.error('http', `remote request ${id} (${routeName}) failed: ${(err as Error)?.stack ?? String(err)}`),
  });
  await remoteAccess.start();
  const mdns: MdnsAdvertisement | null = config.mdns
    ? advertiseMdns({ port, version: DAEMON_VERSION, protocolVersion: PROTOCOL_VERSION, network: config.network, log })
    : null;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const runFiles = writeRunFiles(config, port, url);
  lslAutoConnect.sync();
  ready = true;
  log.info('daemon', `skill-daemon ${DAEMON_VERSION} listening on ${url} (pid ${process.pid})`);

  let stopped = false;
  return {
    port,
    url,
    tokenFile: defaultToken.file,
    log,
    bus,
    actors,
    async stop() {
      if (stopped) return;
      stopped = true;
      ready = false;
      bus.publish('DaemonShutdown', {});
      reporter.stop();
      lslAutoConnect.stop();
      void virtualOutlet.stop();
      actors.shutdown();
      inspector?.stop();
      unsubscribe();
      events.closeAll();
      remoteEvents.closeAll();
      server?.close();
      remoteAccess.stop();
      await mdns?.stop();
      await recorder.writer.close();
      await hooks.close();
      await labels.close();
      await search.close();
      llm.chats.close();
      llm.logFile.close();
      screenshots.close();
      for (const f of runFiles) fs.rmSync(f, { force: true });
      log.info('daemon', 'stopped');
    },
  };
}

/** bootstrap.json (port, pid, version) and daemon.pid, for clients and service managers. */
function writeRunFiles(config: DaemonConfig, port: number, url: string): string[] {
  const bootstrap = path.join(config.daemonConfigDir, 'bootstrap.json');
  const pidFile = path.join(config.daemonConfigDir, 'daemon.pid');
  writeJsonAtomic(
    bootstrap,
    {
      port,
      pid: process.pid,
      version: DAEMON_VERSION,
      protocol_version: 1,
      url,
      token_file: path.join(config.daemonConfigDir, 'auth.token'),
      started_at: Date.now(),
    },
    { mode: 0o600, dirMode: 0o700 },
  );
  writeJsonAtomic(pidFile, process.pid, { mode: 0o644, dirMode: 0o700 });
  return [bootstrap, pidFile];
}
