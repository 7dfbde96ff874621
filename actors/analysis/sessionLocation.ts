// POST /v1/analysis/location (notes §7.7): the location fixes recorded beside a session, from its
// `<stem>.meta.jsonl` — lines `{"type":"location", timestamp, latitude, longitude, altitude?,
// accuracy?, speed?}`. Kept: timestamp (unix s) inside [startS, endS] and a valid latitude and
// longitude; missing optional numbers are 0. Sorted by time. Both the session path and the sidecar
// must resolve inside the data directory.
import fs from 'node:fs';
import { resolveInsideDataDir } from './dataDirPath.ts';

export interface LocationFix {
  ts: number;
  lat: number;
  lon: number;
  alt: number;
  accuracy: number;
  speed: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function sessionLocation(dataDir: string, csvPath: string, startS: number, endS: number): LocationFix[] {
  const csv = resolveInsideDataDir(dataDir, csvPath);
  const sidecar = resolveInsideDataDir(dataDir, `${csv.replace(/\.csv$/, '')}.meta.jsonl`);
  let text: string;
  try {
    text = fs.readFileSync(sidecar, 'utf8');
  } catch {
    return [];
  }
  const fixes: LocationFix[] = [];
  for (const line of text.split('\n')) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (!v || typeof v !== 'object' || v.type !== 'location') continue;
    const ts = finite(v.timestamp) ? v.timestamp : 0;
    if (ts < startS || ts > endS) continue;
    const lat = v.latitude, lon = v.longitude;
    if (!finite(lat) || !finite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    const opt = (x: unknown) => (finite(x) ? x : 0);
    fixes.push({ ts, lat, lon, alt: opt(v.altitude), accuracy: opt(v.accuracy), speed: opt(v.speed) });
  }
  return fixes.sort((a, b) => a.ts - b.ts);
}
