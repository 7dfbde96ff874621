// Draws a statechart (the JSON of GET /v1/debug/machines) as SVG: nested boxes for states,
// compound states as dashed containers laid out in a grid, parallel regions side by side, and an
// arrow per transition between boxes. The active configuration is highlighted by toggling
// classes, so a live update never re-lays out the drawing. Arrows leaving an active state carry
// their event names; every arrow has its event as a tooltip.
const SVG_NS = 'http://www.w3.org/2000/svg';
const LEAF_H = 28, TITLE_H = 20, PAD = 10, GAP = 22, CHAR_W = 6.8;

const el = (name, attrs = {}) => {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
};

/** The dotted paths of every active state in an xstate state value (`{session: {streaming: 'receiving'}}`). */
export function activePaths(value, prefix = '') {
  if (value === null || value === undefined) return [];
  const join = (k) => (prefix ? `${prefix}.${k}` : k);
  if (typeof value === 'string') return [join(value)];
  const out = [];
  for (const [k, v] of Object.entries(value)) out.push(join(k), ...activePaths(v, join(k)));
  return out;
}

function layout(def) {
  const byPath = new Map(def.states.map((s) => [s.path, s]));
  const boxes = new Map();
  const measure = (state) => {
    const kids = state.children.map((p) => byPath.get(p)).filter(Boolean);
    const title = state.path === '' ? 0 : TITLE_H;
    if (!kids.length) {
      const w = Math.max(70, state.key.length * CHAR_W + 20);
      return { state, w, h: LEAF_H, kids: [] };
    }
    const measured = kids.map(measure);
    const cols = state.type === 'parallel' ? measured.length : Math.min(4, Math.ceil(Math.sqrt(measured.length)));
    const rows = [];
    for (let i = 0; i < measured.length; i += cols) rows.push(measured.slice(i, i + cols));
    const rowW = rows.map((r) => r.reduce((a, m) => a + m.w, 0) + GAP * (r.length - 1));
    const rowH = rows.map((r) => Math.max(...r.map((m) => m.h)));
    const w = Math.max(Math.max(...rowW) + 2 * PAD, state.key.length * CHAR_W + 20);
    const h = title + PAD + rowH.reduce((a, b) => a + b, 0) + GAP * (rows.length - 1) + PAD;
    return { state, w, h, rows, rowH, kids: measured };
  };
  const place = (m, x, y) => {
    boxes.set(m.state.path, { x, y, w: m.w, h: m.h, state: m.state });
    if (!m.rows) return;
    let yy = y + (m.state.path === '' ? 0 : TITLE_H) + PAD;
    m.rows.forEach((row, i) => {
      let xx = x + PAD;
      for (const child of row) {
        place(child, xx, yy + (m.rowH[i] - child.h) / 2);
        xx += child.w + GAP;
      }
      yy += m.rowH[i] + GAP;
    });
  };
  const root = measure(byPath.get(''));
  place(root, 0, 0);
  return { boxes, width: root.w, height: root.h };
}

/** Where the line from a box's centre towards (tx, ty) leaves the box. */
function border(box, tx, ty) {
  const cx = box.x + box.w / 2, cy = box.y + box.h / 2;
  const dx = tx - cx, dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const sx = dx ? box.w / 2 / Math.abs(dx) : Infinity;
  const sy = dy ? box.h / 2 / Math.abs(dy) : Infinity;
  const s = Math.min(sx, sy);
  return [cx + dx * s, cy + dy * s];
}

export class StatechartView {
  /** @param {{states: any[], transitions: any[]}} def @param {(path: string) => void} onSelectState */
  constructor(def, onSelectState) {
    this.def = def;
    const { boxes, width, height } = layout(def);
    this.boxes = boxes;
    const svg = el('svg', { class: 'statechart', viewBox: `-4 -4 ${width + 8} ${height + 8}`, role: 'img' });
    svg.style.maxHeight = `${Math.max(240, height + 8)}px`;
    const defs = el('defs');
    const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#56627a' }));
    defs.append(marker);
    svg.append(defs);
    this.groups = new Map();
    // Outer boxes first, so inner ones paint over them.
    const ordered = [...boxes.values()].sort((a, b) => a.state.path.split('.').length - b.state.path.split('.').length);
    for (const box of ordered) {
      if (box.state.path === '') continue;
      const kind = box.state.children.length ? 'compound' : 'atomic';
      const g = el('g', { class: `state ${kind} ${box.state.type}`, 'data-path': box.state.path });
      g.append(el('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }));
      const text = el('text', { x: box.x + 8, y: box.y + (kind === 'atomic' ? LEAF_H / 2 + 4 : 14) });
      text.textContent = box.state.type === 'final' ? `${box.state.key} ◉` : box.state.key;
      g.append(text);
      g.addEventListener('click', (ev) => {
        ev.stopPropagation();
        onSelectState(box.state.path);
      });
      this.groups.set(box.state.path, g);
      svg.append(g);
    }
    this.edges = [];
    for (const t of def.transitions) {
      const from = boxes.get(t.source);
      if (!from || t.source === '') continue;
      for (const target of t.targets) {
        const to = boxes.get(target);
        if (!to) continue;
        const path = el('path', { class: 'edge', 'data-source': t.source, 'data-event': t.event });
        if (target === t.source) {
          const x = from.x + from.w - 12, y = from.y;
          path.setAttribute('d', `M${x},${y} c 10,-18 26,-6 12,8`);
        } else {
          const [x1, y1] = border(from, to.x + to.w / 2, to.y + to.h / 2);
          const [x2, y2] = border(to, from.x + from.w / 2, from.y + from.h / 2);
          path.setAttribute('d', `M${x1},${y1} L${x2},${y2}`);
          path.dataset.mid = `${(x1 + x2) / 2},${(y1 + y2) / 2}`;
        }
        const title = el('title');
        title.textContent = `${t.event}${t.guard ? ` [${t.guard}]` : ''} → ${target}`;
        path.append(title);
        svg.append(path);
        this.edges.push(path);
      }
    }
    this.labels = el('g', { class: 'edge-labels' });
    svg.append(this.labels);
    this.svg = svg;
  }

  /** Highlights the states of `value` and labels the arrows that leave them. */
  setActive(value) {
    const active = new Set(activePaths(value));
    for (const [path, g] of this.groups) g.classList.toggle('active', active.has(path));
    this.labels.replaceChildren();
    for (const edge of this.edges) {
      const on = active.has(edge.dataset.source);
      edge.classList.toggle('from-active', on);
      if (on && edge.dataset.mid) {
        const [x, y] = edge.dataset.mid.split(',').map(Number);
        const label = el('text', { x, y: y - 3, fill: '#9ecbff', 'font-size': 10, 'text-anchor': 'middle' });
        label.textContent = edge.dataset.event;
        this.labels.append(label);
      }
    }
    this.svg.dataset.active = [...active].join(' ');
  }

  select(path) {
    for (const [p, g] of this.groups) g.classList.toggle('selected', p === path);
  }

  /** The transitions that leave `path` or any state containing it (an event on a parent applies to its children). */
  outgoing(path) {
    const ancestors = new Set(['']);
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) ancestors.add(parts.slice(0, i).join('.'));
    return this.def.transitions.filter((t) => ancestors.has(t.source));
  }
}
