// System: the watchdog's figures (event-loop lag, memory, actors alive) as they arrive every 2 s,
// downloads with their progress, the re-embedding run in progress and the LLM server's status.
import { explain, get } from './daemonApi.js';
import { badge, figure, fmtBytes, h, section } from './dom.js';
import { legend, LineChart } from './charts.js';

const LAG = [
  { key: 'p99', label: 'lag p99 (ms)', color: '#d29922' },
  { key: 'mean', label: 'lag mean (ms)', color: '#4ea1ff' },
];

export function mount(container, { events }) {
  const lagMean = figure('lag mean'), lagP99 = figure('lag p99'), lagMax = figure('lag max');
  const rss = figure('resident memory'), heap = figure('heap used'), actors = figure('actors alive');
  const watchdogNote = h('p', { class: 'muted', id: 'watchdog-note' }, 'waiting for the next sample (every 2 s)…');
  const lagCanvas = h('canvas', { id: 'lag-chart' });
  const downloads = h('div', { id: 'downloads' });
  const reembed = h('div', { id: 'reembed' }, h('p', { class: 'muted' }, 'no re-embedding run since this page opened'));
  const llm = h('div', { id: 'llm' });
  container.append(
    section('Watchdog', { id: 'watchdog', class: 'wide' },
      h('div', { class: 'figures' }, lagMean.node, lagP99.node, lagMax.node, rss.node, heap.node, actors.node), watchdogNote, legend(LAG), lagCanvas),
    section('Downloads', {}, downloads),
    section('Re-embedding', {}, reembed),
    section('LLM server', {}, llm),
  );
  const lag = new LineChart(lagCanvas, { series: LAG, windowSecs: 300 });

  const showDownloads = async () => {
    try {
      const { downloads: list } = await get('/v1/models/downloads');
      downloads.replaceChildren(list.length
        ? h('table', {}, h('tbody', {}, list.map((d) => h('tr', {},
          h('td', { class: 'mono' }, d.id), h('td', {}, badge(d.state)),
          h('td', {}, h('progress', { max: 1, value: d.progress ?? 0 })),
          h('td', { class: 'mono' }, d.total_bytes ? `${fmtBytes(d.received_bytes)} / ${fmtBytes(d.total_bytes)}` : fmtBytes(d.received_bytes ?? 0))))))
        : h('p', { class: 'muted' }, 'no downloads'));
    } catch (err) {
      downloads.replaceChildren(h('p', { class: 'error' }, explain(err)));
    }
  };
  const showLlm = (s) => {
    llm.replaceChildren(h('div', { class: 'row' }, badge(s.status), h('span', {}, s.model_name ?? 'no model')),
      s.error || s.start_error ? h('p', { class: 'error' }, s.error ?? s.start_error) : null,
      s.n_ctx ? h('p', { class: 'muted' }, `context ${s.n_ctx} tokens`) : null);
  };
  const showReembed = (p) => {
    reembed.replaceChildren(h('div', { class: 'row' }, badge(p.status), h('span', { class: 'muted' }, `${p.done ?? 0} / ${p.total ?? 0}${p.day ? ` · ${p.day}` : ''}`)),
      h('progress', { max: Math.max(1, p.total ?? 0), value: p.done ?? 0 }),
      p.message ? h('p', { class: 'error' }, p.message) : null);
  };

  const offs = [
    events.on('watchdog', (w, envelope) => {
      lagMean.set(`${w.lag_mean_ms.toFixed(1)} ms`);
      lagP99.set(`${w.lag_p99_ms.toFixed(1)} ms`);
      lagMax.set(`${w.lag_max_ms.toFixed(1)} ms`);
      rss.set(fmtBytes(w.rss_bytes));
      heap.set(fmtBytes(w.heap_used_bytes));
      actors.set(`${w.actors_alive} / ${w.actors_total}`);
      watchdogNote.textContent = w.actors_given_up.length ? `given up: ${w.actors_given_up.join(', ')}` : `stall detector ${w.enabled ? `armed (${w.timeout_secs} s)` : 'off'}`;
      lag.push(envelope.ts_unix_ms / 1000, { p99: w.lag_p99_ms, mean: w.lag_mean_ms });
    }),
    events.on('reembed-progress', showReembed),
    events.on('llm:status', showLlm),
    ...['ExgDownloadProgress', 'ExgDownloadCompleted', 'ExgDownloadFailed', 'LlmDownloadUpdated', 'LlmDownloadCompleted'].map((t) => events.on(t, () => void showDownloads())),
  ];
  // Progress events arrive up to 5 a second per file; a poll keeps the bars moving without
  // re-reading the list on every one of them.
  const poll = setInterval(() => void showDownloads(), 2_000);
  void showDownloads();
  void get('/v1/llm/server/status').then(showLlm, (err) => llm.replaceChildren(h('p', { class: 'error' }, explain(err))));
  void get('/v1/models/reembed-runs').then((r) => {
    const last = r.runs?.[r.runs.length - 1];
    if (last && reembed.querySelector('p.muted')) reembed.replaceChildren(h('p', { class: 'muted' }, `last run: ${JSON.stringify(last).slice(0, 160)}`));
  }, () => {});
  return () => {
    clearInterval(poll);
    offs.forEach((off) => off());
  };
}
