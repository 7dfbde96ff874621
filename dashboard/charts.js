// Small canvas charts: time-series lines (live, with a sliding window, or a fixed data set with
// range selection) and a sleep hypnogram. A chart redraws at most once per animation frame, so a
// burst of events costs one draw. Each canvas carries `data-updates` (points added so far), which
// lets a test see that a live chart is moving without reading pixels.
const PAD = { left: 40, right: 8, top: 8, bottom: 18 };

function sizeCanvas(canvas, height) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 400;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height };
}

function timeLabel(t) {
  const d = new Date(t * 1000);
  return d.toTimeString().slice(0, 8);
}

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{series: {key: string, label: string, color: string}[], windowSecs?: number, yMin?: number, yMax?: number, height?: number, onSelect?: (t0: number, t1: number) => void}} options
   */
  constructor(canvas, options) {
    this.canvas = canvas;
    this.options = options;
    this.points = []; // {t, values: {key: number}}
    this.updates = 0;
    this.pending = false;
    this.selection = null;
    if (options.onSelect) this.enableSelection();
    this.schedule(); // axes show before the first point arrives
  }

  /** Adds a point (t in unix seconds); points older than the window are dropped. */
  push(t, values) {
    this.points.push({ t, values });
    const windowSecs = this.options.windowSecs;
    if (windowSecs) {
      const cutoff = t - windowSecs;
      while (this.points.length && this.points[0].t < cutoff) this.points.shift();
    }
    this.updates++;
    this.canvas.dataset.updates = String(this.updates);
    this.schedule();
  }

  /** Replaces every point (a stored time series). */
  setData(points) {
    this.points = points;
    this.selection = null;
    this.updates++;
    this.canvas.dataset.updates = String(this.updates);
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  range() {
    const pts = this.points;
    const t1 = pts.length ? pts[pts.length - 1].t : Date.now() / 1000;
    const t0 = this.options.windowSecs ? t1 - this.options.windowSecs : pts.length ? pts[0].t : t1 - 1;
    let lo = this.options.yMin, hi = this.options.yMax;
    if (lo === undefined || hi === undefined) {
      let min = Infinity, max = -Infinity;
      for (const p of pts) for (const s of this.options.series) {
        const v = p.values[s.key];
        if (typeof v === 'number' && Number.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v); }
      }
      if (!Number.isFinite(min)) { min = 0; max = 1; }
      if (min === max) { min -= 1; max += 1; }
      lo ??= min; hi ??= max;
    }
    return { t0, t1: Math.max(t1, t0 + 1e-3), lo, hi };
  }

  draw() {
    const { ctx, width, height } = sizeCanvas(this.canvas, this.options.height ?? 160);
    const { t0, t1, lo, hi } = this.range();
    const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (width - PAD.left - PAD.right);
    const y = (v) => PAD.top + (1 - (v - lo) / (hi - lo)) * (height - PAD.top - PAD.bottom);
    this.toTime = (px) => t0 + ((px - PAD.left) / (width - PAD.left - PAD.right)) * (t1 - t0);
    this.toX = x;
    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = '#2c3340';
    ctx.fillStyle = '#8792a5';
    ctx.font = '10px system-ui';
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      const yy = y(v);
      ctx.beginPath(); ctx.moveTo(PAD.left, yy); ctx.lineTo(width - PAD.right, yy); ctx.stroke();
      ctx.fillText(Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2), 2, yy + 3);
    }
    ctx.fillText(timeLabel(t0), PAD.left, height - 4);
    const right = timeLabel(t1);
    ctx.fillText(right, width - PAD.right - ctx.measureText(right).width, height - 4);
    if (this.selection) {
      ctx.fillStyle = '#4ea1ff33';
      const [a, b] = this.selection;
      ctx.fillRect(x(Math.min(a, b)), PAD.top, Math.abs(x(b) - x(a)), height - PAD.top - PAD.bottom);
    }
    ctx.lineWidth = 1.5;
    for (const s of this.options.series) {
      ctx.strokeStyle = s.color;
      ctx.beginPath();
      let started = false;
      for (const p of this.points) {
        const v = p.values[s.key];
        if (typeof v !== 'number' || !Number.isFinite(v)) { started = false; continue; }
        const xx = x(p.t), yy = y(Math.min(hi, Math.max(lo, v)));
        if (started) ctx.lineTo(xx, yy); else { ctx.moveTo(xx, yy); started = true; }
      }
      ctx.stroke();
    }
  }

  enableSelection() {
    let from = null;
    const timeAt = (ev) => this.toTime?.(ev.offsetX) ?? 0;
    this.canvas.addEventListener('mousedown', (ev) => { from = timeAt(ev); this.selection = [from, from]; this.schedule(); });
    this.canvas.addEventListener('mousemove', (ev) => { if (from !== null) { this.selection = [from, timeAt(ev)]; this.schedule(); } });
    this.canvas.addEventListener('mouseup', (ev) => {
      if (from === null) return;
      const to = timeAt(ev);
      const [a, b] = [Math.min(from, to), Math.max(from, to)];
      from = null;
      if (b - a >= 1) this.options.onSelect(Math.floor(a), Math.ceil(b));
    });
  }
}

/** A legend for a chart's series. */
export function legend(series) {
  const div = document.createElement('div');
  div.className = 'legend';
  for (const s of series) {
    const span = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = s.color;
    span.append(swatch, s.label);
    div.append(span);
  }
  return div;
}

const STAGES = ['Wake', 'REM', 'N1', 'N2', 'N3'];
// The daemon's stage codes (0 Wake, 1 N1, 2 N2, 3 N3, 4 REM) → rows from top to bottom.
const ROW_OF_STAGE = { 0: 0, 4: 1, 1: 2, 2: 3, 3: 4 };

/** A hypnogram of `[{utc, stage}]` epochs as a step line, Wake on top and N3 at the bottom. */
export function drawHypnogram(canvas, epochs, epochSecs = 5) {
  const { ctx, width, height } = sizeCanvas(canvas, 120);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '10px system-ui';
  ctx.fillStyle = '#8792a5';
  const rowY = (row) => PAD.top + (row / (STAGES.length - 1)) * (height - PAD.top - PAD.bottom);
  STAGES.forEach((name, row) => ctx.fillText(name, 2, rowY(row) + 3));
  if (!epochs.length) return;
  const t0 = epochs[0].utc, t1 = epochs[epochs.length - 1].utc + epochSecs;
  const x = (t) => PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (width - PAD.left - PAD.right);
  ctx.strokeStyle = '#a371f7';
  ctx.lineWidth = 2;
  ctx.beginPath();
  epochs.forEach((e, i) => {
    const yy = rowY(ROW_OF_STAGE[e.stage] ?? 0);
    if (i === 0) ctx.moveTo(x(e.utc), yy); else ctx.lineTo(x(e.utc), yy);
    ctx.lineTo(x(e.utc + epochSecs), yy);
  });
  ctx.stroke();
  ctx.fillText(timeLabel(t0), PAD.left, height - 4);
}
