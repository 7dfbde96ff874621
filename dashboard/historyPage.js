// History: recorded sessions grouped by day; a session's band powers over time, its sleep
// hypnogram and its labels; dragging across the chart searches for similar moments in every
// recording. Listing sessions and labels needs only a read_only token; the analysis and search
// calls are POSTs, which need a data or admin token, and say so when refused.
import { explain, get, post } from './daemonApi.js';
import { fmtDuration, fmtTime, h, section } from './dom.js';
import { drawHypnogram, legend, LineChart } from './charts.js';

const SERIES = [
  { key: 'rd', label: 'delta', color: '#6e7bff' },
  { key: 'rt', label: 'theta', color: '#a371f7' },
  { key: 'ra', label: 'alpha', color: '#3fb950' },
  { key: 'rb', label: 'beta', color: '#d29922' },
  { key: 'rg', label: 'gamma', color: '#f85149' },
];

const dayText = (day) => (/^\d{8}$/.test(day) ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}` : day);
const startOf = (s) => s.session_start_utc ?? s.start_utc;
const endOf = (s) => s.session_end_utc ?? s.end_utc ?? startOf(s);

export function mount(container) {
  const sessionsBody = h('tbody');
  const listError = h('p', { class: 'error' });
  const title = h('h2', {}, 'Session');
  const chartCanvas = h('canvas', { id: 'session-chart' });
  const chartNote = h('p', { class: 'muted' }, 'Select a session. Drag across its chart to find similar moments.');
  const hypnoCanvas = h('canvas', { id: 'hypnogram' });
  const hypnoNote = h('p', { class: 'muted' });
  const similar = h('div', { id: 'similar' }, h('p', { class: 'muted' }, 'Drag across the session chart to search.'));
  const labels = h('div', { id: 'labels' });
  container.append(
    section('Sessions by day', { id: 'sessions' }, listError, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'start'), h('th', {}, 'length'), h('th', {}, 'device'), h('th', {}, 'epochs'))), sessionsBody)),
    h('section', { class: 'wide', id: 'session' }, title, legend(SERIES), chartCanvas, chartNote),
    section('Sleep stages', { id: 'sleep' }, hypnoCanvas, hypnoNote),
    section('Similar moments', { id: 'similar-moments' }, similar),
    section('Labels', { id: 'session-labels' }, labels),
  );
  const chart = new LineChart(chartCanvas, { series: SERIES, yMin: 0, yMax: 1, height: 200, onSelect: (a, b) => void searchSimilar(a, b) });
  let current = null;

  const searchSimilar = async (startUtc, endUtc) => {
    similar.replaceChildren(h('p', { class: 'muted' }, `searching ${fmtTime(startUtc)}–${fmtTime(endUtc)}…`));
    try {
      const res = await post('/v1/search/eeg', { startUtc, endUtc, k: 8 });
      // Every query epoch brings its neighbours; keep the nearest of each moment outside the selection.
      const best = new Map();
      for (const r of res.results ?? []) for (const n of r.neighbors ?? []) {
        if (n.timestamp_unix >= startUtc - 5 && n.timestamp_unix <= endUtc + 5) continue;
        const prev = best.get(n.timestamp_unix);
        if (!prev || n.distance < prev.distance) best.set(n.timestamp_unix, n);
      }
      const rows = [...best.values()].sort((a, b) => a.distance - b.distance).slice(0, 12);
      similar.replaceChildren(rows.length
        ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'when'), h('th', {}, 'distance'), h('th', {}, 'labels'))),
          h('tbody', {}, rows.map((n) => h('tr', {},
            h('td', {}, `${dayText(n.date ?? '')} ${fmtTime(n.timestamp_unix)}`),
            h('td', { class: 'mono' }, n.distance.toFixed(3)),
            h('td', {}, (n.labels ?? []).map((l) => l.text).join('; '))))))
        : h('p', { class: 'muted' }, `no similar moments outside the selection (${res.query_count ?? 0} epochs searched)`));
    } catch (err) {
      similar.replaceChildren(h('p', { class: 'error' }, `search: ${explain(err)}`));
    }
  };

  const showLabels = async (s) => {
    try {
      const all = await get('/v1/labels?limit=1000');
      const mine = all.filter((l) => (l.eeg_end ?? l.label_end) >= startOf(s) && (l.eeg_start ?? l.label_start) <= endOf(s));
      labels.replaceChildren(mine.length
        ? h('ul', {}, mine.map((l) => h('li', {}, h('span', { class: 'muted' }, `${fmtTime(l.eeg_start)} `), l.text)))
        : h('p', { class: 'muted' }, `no labels in this session (${all.length} in all)`));
    } catch (err) {
      labels.replaceChildren(h('p', { class: 'error' }, `labels: ${explain(err)}`));
    }
  };

  const open = async (s, row) => {
    current = s;
    for (const r of sessionsBody.querySelectorAll('tr')) r.classList.toggle('selected', r === row);
    title.textContent = `Session ${dayText(s.day)} ${fmtTime(startOf(s))} · ${s.device_name ?? ''}`;
    const range = { startUtc: startOf(s), endUtc: endOf(s) };
    void showLabels(s);
    try {
      const rows = await post('/v1/analysis/timeseries', range);
      if (current !== s) return;
      chart.setData(rows.map((r) => ({ t: r.t, values: r })));
      chartNote.textContent = `${rows.length} epochs. Drag across the chart to find similar moments.`;
    } catch (err) {
      chartNote.textContent = `time series: ${explain(err)}`;
    }
    try {
      const sleep = await post('/v1/analysis/sleep', range);
      if (current !== s) return;
      drawHypnogram(hypnoCanvas, sleep.epochs ?? [], sleep.summary?.epoch_secs ?? 5);
      const m = sleep.analysis?.stage_minutes;
      hypnoNote.textContent = m ? `wake ${m.wake} · N1 ${m.n1} · N2 ${m.n2} · N3 ${m.n3} · REM ${m.rem} min` : '';
    } catch (err) {
      hypnoNote.textContent = `sleep stages: ${explain(err)}`;
    }
  };

  void (async () => {
    try {
      const sessions = await get('/v1/history/sessions?limit=500');
      const byDay = new Map();
      for (const s of sessions) byDay.set(s.day, [...(byDay.get(s.day) ?? []), s]);
      const rows = [];
      for (const [day, list] of byDay) {
        rows.push(h('tr', { class: 'day' }, h('th', { colspan: 4 }, `${dayText(day)} · ${list.length} session${list.length === 1 ? '' : 's'}`)));
        for (const s of list) {
          const row = h('tr', { class: 'selectable session', 'data-start': startOf(s) },
            h('td', {}, fmtTime(startOf(s))),
            h('td', {}, fmtDuration(s.session_duration_s ?? endOf(s) - startOf(s))),
            h('td', {}, s.device_name ?? '–'),
            h('td', {}, String(s.n_epochs ?? '–')));
          row.addEventListener('click', () => void open(s, row));
          rows.push(row);
        }
      }
      sessionsBody.replaceChildren(...rows);
      if (!sessions.length) listError.replaceChildren(h('span', { class: 'muted' }, 'no recorded sessions yet'));
      const first = sessionsBody.querySelector('tr.session');
      if (first) first.click();
    } catch (err) {
      listError.textContent = `sessions: ${explain(err)}`;
    }
  })();
  return () => {};
}
