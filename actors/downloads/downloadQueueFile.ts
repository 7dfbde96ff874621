// `<data>/downloads.json`: the downloads the manager holds, so a restarted daemon (or a
// restarted manager) picks up where it left off. Replaced atomically on every change of state;
// byte counts in it are informative only, since a resumed download measures its partial file.
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';
import type { DownloadView } from './downloadView.ts';

export const QUEUE_FILE = 'downloads.json';
const VERSION = 1;

interface QueueFile {
  version: number;
  downloads: DownloadView[];
}

export const queueFileIn = (dataDir: string) => path.join(dataDir, QUEUE_FILE);

/** The stored downloads; a corrupt file is moved aside (and reported) rather than stopping the daemon. */
export function readQueue(file: string, warn: (message: string) => void): DownloadView[] {
  let stored: QueueFile;
  try {
    stored = readJsonFile<QueueFile>(file, { version: VERSION, downloads: [] });
  } catch (err) {
    const aside = `${file}.corrupt-${Date.now()}`;
    fs.renameSync(file, aside);
    warn(`download queue ${file} was unreadable (${(err as Error).message}); moved to ${aside}`);
    return [];
  }
  if (!Array.isArray(stored?.downloads)) return [];
  return stored.downloads.filter(isView);
}

export function writeQueue(file: string, downloads: DownloadView[]): void {
  writeJsonAtomic(file, { version: VERSION, downloads } satisfies QueueFile);
}

function isView(v: unknown): v is DownloadView {
  const d = v as DownloadView;
  return !!d && typeof d.id === 'string' && typeof d.url === 'string' && typeof d.dest === 'string' && typeof d.kind === 'string' && typeof d.state === 'string';
}
