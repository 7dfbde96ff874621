// POST /v1/search/eeg with a text `query` (notes §6.2 b): finds the labels whose text is nearest
// the query, reads the epochs recorded around them, and answers with the search graph and its
// drawings. Answers are cached as the reference does (8 entries, 5 minutes) — but unlike it, an
// answer is dropped as soon as it could be wrong: when a label changes (the labels' revision is
// part of the key) or a new embedding is stored inside a time span the answer read.
import { createHash } from 'node:crypto';
import type { StoredEmbedding } from '../embeddings/embeddingEvents.ts';
import { EEG_WINDOW_PAD_SECS, EegWindowReader, type WindowEpoch } from '../labels/eegWindowReader.ts';
import type { Labels } from '../labels/labels.ts';
import { TimeSlice } from '../labels/timeSlice.ts';
import { toDot, toSvg, toSvg3d, toSvgByRelevance } from './graphDrawing.ts';
import { buildSearchGraph, type GraphEdge, type GraphNode, type GraphParams, type TextHit } from './interactiveGraph.ts';

export const GRAPH_CACHE_ENTRIES = 8;
export const GRAPH_CACHE_TTL_MS = 300_000;
const TEXT_EF = 64;

export interface GraphRequest extends GraphParams {
  /** `"context"` searches the labels' context text; anything else their text. */
  mode?: string | undefined;
}

export interface GraphReply {
  query: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  dot: string;
  svg: string;
  svg_col: string;
  svg_3d: string;
  /** True when the answer came from the cache. */
  cached: boolean;
}

interface Cached {
  storedAt: number;
  reply: Omit<GraphReply, 'cached'>;
  /** The [start, end] spans (unix seconds) whose epochs the answer read. */
  spans: Array<[number, number]>;
}

export interface InteractiveSearchDeps {
  dataDir: string;
  labels: Pick<Labels, 'search' | 'labelsNear' | 'revision' | 'eegNodeOf'>;
  now?: () => number;
}

export class InteractiveSearch {
  /** Insertion order is use order: the first entry is the least recently used. */
  readonly #cache = new Map<string, Cached>();
  readonly #now: () => number;

  constructor(private readonly deps: InteractiveSearchDeps) {
    this.#now = deps.now ?? Date.now;
  }

  async graph(req: GraphRequest): Promise<GraphReply> {
    const key = this.#key(req);
    const hit = this.#cache.get(key);
    if (hit && this.#now() - hit.storedAt < GRAPH_CACHE_TTL_MS) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return { ...hit.reply, cached: true };
    }
    this.#cache.delete(key);

    const mode = req.mode === 'context' ? 'context' : 'text';
    const hits: TextHit[] = req.kText === 0 ? [] : await this.deps.labels.search(req.query, req.kText, Math.max(TEXT_EF, req.kText), mode);
    const { epochsByWindow, spans } = await this.#readWindows(hits, req.reachMinutes * 60);
    const graph = buildSearchGraph(req, hits, {
      epochs: (start, end) => epochsByWindow.get(`${start}:${end}`) ?? [],
      // The label's EEG node: the mean direction of its window, kept current by the labels.
      labelEeg: (h) => this.deps.labels.eegNodeOf(h.label_id),
      labelsNear: (t, pad) => this.deps.labels.labelsNear(t, pad),
    });
    const reply = { query: req.query, ...graph, dot: toDot(graph), svg: toSvg(graph), svg_col: toSvgByRelevance(graph), svg_3d: toSvg3d(graph) };

    this.#cache.set(key, { storedAt: this.#now(), reply, spans });
    while (this.#cache.size > GRAPH_CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    return { ...reply, cached: false };
  }

  /** A stored embedding makes every cached answer that read its time stale. */
  readonly onEegStored = (e: StoredEmbedding): void => {
    const t = e.timestampMs / 1000;
    for (const [key, c] of this.#cache) if (c.spans.some(([a, b]) => t >= a && t <= b)) this.#cache.delete(key);
  };

  get cacheSize(): number {
    return this.#cache.size;
  }

  #key(req: GraphRequest): string {
    const fields = [
      req.query, req.kText, req.kEeg, req.kLabels, req.reachMinutes, req.snrPositiveOnly, req.deviceName,
      req.filterStartUtc ?? null, req.filterEndUtc ?? null, req.eegRankBy ?? null, req.mode === 'context' ? 'context' : 'text',
      this.deps.labels.revision,
    ];
    return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  }

  /** The epochs around each label (its window ± reach), one label at a time with a turn of the event loop in between. */
  async #readWindows(hits: readonly TextHit[], reachSecs: number) {
    const epochsByWindow = new Map<string, WindowEpoch[]>();
    const spans: Array<[number, number]> = [];
    const reader = new EegWindowReader(this.deps.dataDir);
    const slice = new TimeSlice();
    try {
      for (const h of hits) {
        if (h.eeg_start === null || h.eeg_end === null) continue;
        const [start, end] = h.eeg_start <= h.eeg_end ? [h.eeg_start, h.eeg_end] : [h.eeg_end, h.eeg_start];
        const span: [number, number] = [start - reachSecs, end + reachSecs];
        // The label's own window (±30 s) too: its EEG node moves when epochs arrive there.
        spans.push(span, [start - EEG_WINDOW_PAD_SECS, end + EEG_WINDOW_PAD_SECS]);
        epochsByWindow.set(`${span[0]}:${span[1]}`, reader.epochs(span[0], span[1]));
        await slice.pause();
      }
    } finally {
      reader.close();
    }
    return { epochsByWindow, spans };
  }
}
