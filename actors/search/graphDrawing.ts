// Drawings of the interactive search graph for clients that show it as is (notes §6.2 b: `dot`,
// `svg`, `svg_col`, `svg_3d`):
// - `dot`: Graphviz source, for `dot -Tsvg` or any DOT viewer;
// - `svg`: columns by node kind (query, text labels, EEG points, found labels), coloured by kind;
// - `svg_col`: the same layout with EEG points coloured by relevance (green most relevant);
// - `svg_3d`: the EEG points at their `proj_x/y/z`, drawn in an oblique projection.
import type { GraphNode, NodeKind, SearchGraph } from './interactiveGraph.ts';

const KIND_ORDER: readonly NodeKind[] = ['query', 'text_label', 'eeg_point', 'found_label', 'screenshot'];
const KIND_COLOUR: Record<NodeKind, string> = {
  query: '#4c6ef5',
  text_label: '#f59f00',
  eeg_point: '#12b886',
  found_label: '#ae3ec9',
  screenshot: '#868e96',
};
const COLUMN_W = 220;
const ROW_H = 36;
const MARGIN = 24;
const RADIUS = 8;
const LABEL_CHARS = 28;

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const escapeDot = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
const clip = (s: string) => (s.length > LABEL_CHARS ? `${s.slice(0, LABEL_CHARS - 1)}…` : s);

/** What a node is called in a drawing: its text, else its time. */
function caption(n: GraphNode): string {
  if (n.text !== undefined) return n.text;
  if (n.timestamp_unix !== undefined) return new Date(n.timestamp_unix * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return n.id;
}

export function toDot(graph: SearchGraph): string {
  const lines = ['digraph search {', '  rankdir=LR;', '  node [style=filled, fontname="sans-serif"];'];
  for (const n of graph.nodes) {
    const shape = n.kind === 'eeg_point' ? 'ellipse' : 'box';
    lines.push(`  "${escapeDot(n.id)}" [label="${escapeDot(clip(caption(n)))}", shape=${shape}, fillcolor="${KIND_COLOUR[n.kind]}"];`);
  }
  for (const e of graph.edges) {
    lines.push(`  "${escapeDot(e.from_id)}" -> "${escapeDot(e.to_id)}" [label="${e.distance.toFixed(3)}", tooltip="${e.kind}"];`);
  }
  lines.push('}');
  return lines.join('\n');
}

interface Placed {
  node: GraphNode;
  x: number;
  y: number;
}

function layOut(graph: SearchGraph): { placed: Map<string, Placed>; width: number; height: number } {
  const columns = KIND_ORDER.map((k) => graph.nodes.filter((n) => n.kind === k)).filter((c) => c.length > 0);
  const rows = Math.max(1, ...columns.map((c) => c.length));
  const height = MARGIN * 2 + rows * ROW_H;
  const placed = new Map<string, Placed>();
  columns.forEach((column, ci) => {
    const top = (height - column.length * ROW_H) / 2 + ROW_H / 2;
    column.forEach((node, ri) => placed.set(node.id, { node, x: MARGIN + RADIUS + ci * COLUMN_W, y: top + ri * ROW_H }));
  });
  return { placed, width: MARGIN * 2 + Math.max(1, columns.length) * COLUMN_W, height };
}

/** Green (most relevant, score 0) through yellow to red (score ≥ 1). */
function relevanceColour(score: number): string {
  const hue = Math.round(120 * (1 - Math.min(1, Math.max(0, score))));
  return `hsl(${hue},70%,45%)`;
}

function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    ...body,
    '</svg>',
  ].join('\n');
}

function columnsSvg(graph: SearchGraph, fill: (n: GraphNode) => string): string {
  const { placed, width, height } = layOut(graph);
  const body: string[] = [];
  for (const e of graph.edges) {
    const a = placed.get(e.from_id);
    const b = placed.get(e.to_id);
    if (!a || !b) continue;
    body.push(`<line x1="${a.x}" y1="${a.y.toFixed(1)}" x2="${b.x}" y2="${b.y.toFixed(1)}" stroke="#adb5bd" stroke-width="1"><title>${e.kind} ${e.distance.toFixed(3)}</title></line>`);
  }
  for (const { node, x, y } of placed.values()) {
    body.push(
      `<g><circle cx="${x}" cy="${y.toFixed(1)}" r="${RADIUS}" fill="${fill(node)}"><title>${escapeXml(`${node.kind} ${caption(node)} (${node.distance.toFixed(3)})`)}</title></circle>` +
        `<text x="${x + RADIUS + 4}" y="${(y + 4).toFixed(1)}">${escapeXml(clip(caption(node)))}</text></g>`,
    );
  }
  return svgDocument(width, height, body);
}

export const toSvg = (graph: SearchGraph) => columnsSvg(graph, (n) => KIND_COLOUR[n.kind]);

export const toSvgByRelevance = (graph: SearchGraph) =>
  columnsSvg(graph, (n) => (n.relevance_score === undefined ? '#ced4da' : relevanceColour(n.relevance_score)));

/** The EEG points in an oblique (cabinet) projection of their 3-D coordinates; empty when none has any. */
export function toSvg3d(graph: SearchGraph): string {
  const points = graph.nodes.filter((n) => n.proj_x !== undefined);
  if (points.length === 0) return '';
  const size = 360;
  const span = Math.max(1e-9, ...points.flatMap((n) => [Math.abs(n.proj_x!), Math.abs(n.proj_y!), Math.abs(n.proj_z!)]));
  const scale = (size / 2 - MARGIN * 2) / span;
  // Depth (z) goes up and to the right at half length, as in a cabinet drawing.
  const at = (n: GraphNode) => ({
    x: size / 2 + (n.proj_x! + 0.5 * n.proj_z! * Math.SQRT1_2) * scale,
    y: size / 2 - (n.proj_y! + 0.5 * n.proj_z! * Math.SQRT1_2) * scale,
  });
  const body = points
    .sort((a, b) => b.proj_z! - a.proj_z!)
    .map((n) => {
      const p = at(n);
      return `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${RADIUS}" fill="${n.relevance_score === undefined ? KIND_COLOUR.eeg_point : relevanceColour(n.relevance_score)}" fill-opacity="0.85"><title>${escapeXml(caption(n))}</title></circle>`;
    });
  return svgDocument(size, size, body);
}
