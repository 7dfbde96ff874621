// The route table: every route group contributes its rows here, in the order docs/api.md lists them.
import type { Route } from './route.ts';
import { activityRoutes } from './routes/activity.ts';
import { analysisRoutes } from './routes/analysis.ts';
import { authRoutes } from './routes/auth.ts';
import { controlRoutes } from './routes/control.ts';
import { coreRoutes } from './routes/core.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { debugRoutes } from './routes/debug.ts';
import { deviceRoutes } from './routes/devices.ts';
import { dndRoutes } from './routes/dnd.ts';
import { eventRoutes } from './routes/events.ts';
import { historyRoutes } from './routes/history.ts';
import { hookRoutes } from './routes/hooks.ts';
import { labelRoutes } from './routes/labels.ts';
import { llmCatalogRoutes } from './routes/llmCatalog.ts';
import { llmChatRoutes } from './routes/llmChat.ts';
import { llmHubSearchRoutes } from './routes/llmHubSearch.ts';
import { llmSelectionRoutes } from './routes/llmSelection.ts';
import { llmServerRoutes } from './routes/llmServer.ts';
import { llmSettingsRoutes } from './routes/llmSettings.ts';
import { llmVisionAndToolsRoutes } from './routes/llmVisionAndTools.ts';
import { lslRoutes } from './routes/lsl.ts';
import { modelDownloadRoutes } from './routes/modelDownloads.ts';
import { modelRoutes } from './routes/models.ts';
import { textModelRoutes } from './routes/textModels.ts';
import { openAiRoutes } from './routes/openai.ts';
import { reembedRoutes } from './routes/reembed.ts';
import { remoteAccessRoutes } from './routes/remoteAccess.ts';
import { scannerRoutes } from './routes/scanner.ts';
import { screenshotRoutes } from './routes/screenshots.ts';
import { searchRoutes } from './routes/search.ts';
import { sectionSettingsRoutes } from './routes/sectionSettings.ts';
import type { RouteServices } from './routes/services.ts';
import { serviceRoutes } from './routes/service.ts';
import { settingsRoutes } from './routes/settings.ts';
import { signalSettingsRoutes } from './routes/signalSettings.ts';

export const ROUTE_GROUPS = [
  ['Core', coreRoutes],
  ['Auth', authRoutes],
  ['Events', eventRoutes],
  ['Session control', controlRoutes],
  ['Devices', deviceRoutes],
  ['Scanner', scannerRoutes],
  ['LSL', lslRoutes],
  ['Activity', activityRoutes],
  ['History', historyRoutes],
  ['Analysis', analysisRoutes],
  ['Search', searchRoutes],
  ['Labels', labelRoutes],
  ['Models', modelRoutes],
  ['Text embedding model', textModelRoutes],
  ['Reembed', reembedRoutes],
  ['Model downloads', modelDownloadRoutes],
  ['LLM server', llmServerRoutes],
  ['LLM catalog and downloads', llmCatalogRoutes],
  ['LLM hub search', llmHubSearchRoutes],
  ['LLM selection', llmSelectionRoutes],
  ['OpenAI-compatible', openAiRoutes],
  ['LLM chat history', llmChatRoutes],
  ['LLM vision and tools', llmVisionAndToolsRoutes],
  ['Settings', settingsRoutes],
  ['Signal settings', signalSettingsRoutes],
  ['LLM settings', llmSettingsRoutes],
  ['Schedule, UMAP, DND, screenshot and WebSocket settings', sectionSettingsRoutes],
  ['Hooks', hookRoutes],
  ['Do Not Disturb', dndRoutes],
  ['Screenshots', screenshotRoutes],
  ['Remote access', remoteAccessRoutes],
  ['Service', serviceRoutes],
  ['Debug', debugRoutes],
  ['Dashboard', dashboardRoutes],
] as const satisfies ReadonlyArray<readonly [string, (s: RouteServices) => Route[]]>;

export function buildRouteTable(s: RouteServices): Route[] {
  return ROUTE_GROUPS.flatMap(([, group]) => group(s));
}
