// Help for writing hook rules (notes §8.2):
//
// - keywords: the existing label texts nearest a draft by the label text model (the text index),
//   scored 1 − distance/2 as the reference app's semantic suggestions were. The reference daemon
//   offered case-insensitive substring matches with a fixed score instead.
// - distances: for the labels the keywords would pick (exactly as the engine picks them), the
//   cosine distances between their EEG references and up to 300 recent stored epochs, with
//   percentiles; the suggested threshold is the 25th percentile (a fairly strict match), as the
//   reference app computed it. The reference daemon ignored the keywords and summarised the
//   distances of past fires.
import { findReferences, cosineDistance, type HookLabels } from './hookReferences.ts';
import { recentEmbeddings } from './recentEmbeddings.ts';

export interface KeywordSuggestion {
  keyword: string;
  source: 'embedding';
  score: number;
}

export async function suggestKeywords(labels: HookLabels, draft: string, limit: number): Promise<KeywordSuggestion[]> {
  const q = draft.trim();
  if (q.length < 2) return [];
  const k = Math.min(48, Math.max(8, limit * 3));
  const best = new Map<string, KeywordSuggestion>();
  for (const hit of await labels.nearestByText(q, k, Math.max(k * 4, 64))) {
    const keyword = hit.text.trim();
    if (keyword === '') continue;
    const score = Math.round(Math.min(1, Math.max(0, 1 - hit.distance / 2)) * 10_000) / 10_000;
    const key = keyword.toLowerCase();
    const seen = best.get(key);
    if (!seen || seen.score < score) best.set(key, { keyword, source: 'embedding', score });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.keyword.length - b.keyword.length).slice(0, limit);
}

/** Reference cap and epoch sample of the reference app's suggestion. */
const SUGGEST_REFERENCE_CAP = 20;
const SUGGEST_SAMPLE = 300;
const DEFAULT_THRESHOLD = 0.1;

export async function suggestDistances(labels: HookLabels, dataDir: string, keywords: readonly string[]) {
  const kws = keywords.map((k) => k.trim()).filter((k) => k !== '');
  const empty = { label_n: 0, ref_n: 0, sample_n: 0, eeg_min: 0, eeg_p25: 0, eeg_p50: 0, eeg_p75: 0, eeg_max: 0, suggested: DEFAULT_THRESHOLD };
  if (kws.length === 0) return { ...empty, note: 'No keywords given. Keep the default 0.1.' };
  const found = await findReferences(labels, kws, SUGGEST_REFERENCE_CAP);
  const label_n = found.labels;
  const ref_n = found.references.length;
  if (label_n === 0) return { ...empty, note: `No labels matched your keywords (${kws.join(', ')}). Add labels to your sessions first.` };
  if (ref_n === 0) return { ...empty, label_n, note: `${label_n} label(s) matched but no EEG recordings cover their time windows yet.` };
  const samples = recentEmbeddings(dataDir, SUGGEST_SAMPLE);
  const sample_n = samples.length;
  if (sample_n === 0) return { ...empty, label_n, ref_n, note: 'No recent EEG embeddings found. Record a session first.' };
  const distances: number[] = [];
  for (const s of samples) {
    for (const r of found.references) {
      const d = cosineDistance(s, r.vector);
      if (d !== null) distances.push(d);
    }
  }
  if (distances.length === 0) return { ...empty, label_n, ref_n, sample_n, note: 'Could not compute distances (dimension mismatch).' };
  distances.sort((a, b) => a - b);
  const n = distances.length;
  const pct = (p: number) => distances[Math.min(n - 1, Math.round((p / 100) * (n - 1)))]!;
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  const [eeg_min, eeg_p25, eeg_p50, eeg_p75, eeg_max] = [distances[0]!, pct(25), pct(50), pct(75), distances[n - 1]!].map(r4) as [number, number, number, number, number];
  const suggested = Math.min(0.99, Math.max(0.01, Math.round(eeg_p25 * 100) / 100));
  return {
    label_n,
    ref_n,
    sample_n,
    eeg_min,
    eeg_p25,
    eeg_p50,
    eeg_p75,
    eeg_max,
    suggested,
    note:
      `${label_n} label(s) matched (${ref_n} with EEG data). Distribution of ${n} distances — min ${eeg_min.toFixed(3)}, p25 ${eeg_p25.toFixed(3)}, ` +
      `median ${eeg_p50.toFixed(3)}, p75 ${eeg_p75.toFixed(3)}, max ${eeg_max.toFixed(3)}. Suggested threshold ${suggested.toFixed(2)} (p25 = fairly strict match).`,
  };
}
