// The local LLM as the daemon assembles it: config, catalog, downloads, log and the server, one
// object the route groups reach through `RouteServices.llm`.
import type { Downloads } from '../downloads/downloads.ts';
import type { EventBus } from '../eventBus.ts';
import type { DaemonLog } from '../log.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { LlmCatalog } from './llmCatalog.ts';
import { LlmSettings } from './llmConfig.ts';
import { LlmDownloads } from './llmDownloads.ts';
import { LlmLogs } from './llmLogs.ts';
import { LlmServer } from './llmServer.ts';

export interface Llm {
  config: LlmSettings;
  catalog: LlmCatalog;
  downloads: LlmDownloads;
  logs: LlmLogs;
  server: LlmServer;
}

export interface LlmDeps {
  dataDir: string;
  settings: SettingsStore;
  downloads: Downloads;
  bus: EventBus;
  log: DaemonLog;
  /** `HF_ENDPOINT` or https://huggingface.co. */
  hfEndpoint: string;
}

export function createLlm(deps: LlmDeps): Llm {
  const config = new LlmSettings(deps.settings);
  const catalog = new LlmCatalog(deps.dataDir, (m) => deps.log.warn('llm', m));
  const logs = new LlmLogs(deps.log);
  const downloads = new LlmDownloads({ downloads: deps.downloads, catalog, hfEndpoint: deps.hfEndpoint, bus: deps.bus });
  const server = new LlmServer({ settings: config, catalog, logs, bus: deps.bus });
  return { config, catalog, downloads, logs, server };
}
