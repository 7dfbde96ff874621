// The local LLM as the daemon assembles it: config, catalog, downloads, log, the server, the chat
// history and the hub search, one object the route groups reach through `RouteServices.llm`.
import type { NetworkMode } from '../config.ts';
import type { Downloads } from '../downloads/downloads.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { ChatStore } from './chatStore.ts';
import { HfHub } from './hfHub.ts';
import { LlmCatalog } from './llmCatalog.ts';
import { LlmSettings } from './llmConfig.ts';
import { LlmDownloads } from './llmDownloads.ts';
import { LlmLogFile } from './llmLogFile.ts';
import { LLM_LOG_CAP, LlmLogs } from './llmLogs.ts';
import { LlmServer } from './llmServer.ts';

export interface Llm {
  config: LlmSettings;
  catalog: LlmCatalog;
  downloads: LlmDownloads;
  logs: LlmLogs;
  /** `<data>/llm_logs/`: the log on disk (closed at shutdown). */
  logFile: LlmLogFile;
  server: LlmServer;
  /** Saved chats: `<data>/chats/chat_history.sqlite`. */
  chats: ChatStore;
  /** GGUF search on the Hugging Face hub at `HF_ENDPOINT`. */
  hub: HfHub;
}

export interface LlmDeps {
  dataDir: string;
  settings: SettingsStore;
  downloads: Downloads;
  bus: EventBus;
  log: DaemonLog;
  /** `HF_ENDPOINT` or https://huggingface.co. */
  hfEndpoint: string;
  /** `loopback`: the hub search contacts loopback addresses only, as downloads do. */
  network: NetworkMode;
  /** The Authorization header for a hub URL (hubToken.ts). */
  hubAuthorization?: (url: URL) => string | null;
}

export function createLlm(deps: LlmDeps): Llm {
  const config = new LlmSettings(deps.settings);
  const catalog = new LlmCatalog(deps.dataDir, (m) => deps.log.warn('llm', m));
  const logFile = new LlmLogFile(deps.dataDir, (m) => deps.log.warn('llm', m));
  const logs = new LlmLogs(deps.log, LLM_LOG_CAP, (entry) => logFile.add(entry));
  const downloads = new LlmDownloads({ downloads: deps.downloads, catalog, hfEndpoint: deps.hfEndpoint, bus: deps.bus });
  const server = new LlmServer({ settings: config, catalog, logs, bus: deps.bus });
  const chats = new ChatStore(deps.dataDir);
  const hub = new HfHub(deps.hfEndpoint, deps.network, undefined, deps.hubAuthorization);
  return { config, catalog, downloads, logs, logFile, server, chats, hub };
}
