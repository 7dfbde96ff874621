// Live: the device's status and reconnect countdown, per-channel signal quality, and band powers
// and scores as charts that move with every EegBands event (about four a second). Starting and
// stopping a virtual session needs a token that may control the device (admin).
import { explain, get, post } from './daemonApi.js';
import { badge, figure, h, section } from './dom.js';
import { legend, LineChart } from './charts.js';

const BANDS = [
  { key: 'rel_delta', label: 'delta', color: '#6e7bff' },
  { key: 'rel_theta', label: 'theta', color: '#a371f7' },
  { key: 'rel_alpha', label: 'alpha', color: '#3fb950' },
  { key: 'rel_beta', label: 'beta', color: '#d29922' },
  { key: 'rel_gamma', label: 'gamma', color: '#f85149' },
];
const SCORES = [
  { key: 'focus', label: 'focus', color: '#4ea1ff' },
  { key: 'relaxation', label: 'relaxation', color: '#3fb950' },
  { key: 'engagement', label: 'engagement', color: '#d29922' },
];
const HEART = [{ key: 'hr', label: 'heart rate (bpm)', color: '#f85149' }];
const WINDOW_SECS = 30;

/** Band powers averaged over channels when the snapshot has no top-level value. */
function bandValues(p) {
  const out = {};
  for (const b of BANDS) {
    if (typeof p[b.key] === 'number') out[b.key] = p[b.key];
    else if (Array.isArray(p.channels) && p.channels.length) out[b.key] = p.channels.reduce((a, c) => a + (c[b.key] ?? 0), 0) / p.channels.length;
  }
  return out;
}

export function mount(container, { events }) {
  const state = badge('disconnected');
  state.id = 'device-state';
  const device = figure('device');
  const samples = figure('samples');
  const battery = figure('battery');
  const countdown = h('p', { id: 'reconnect', class: 'muted' }, 'not reconnecting');
  const message = h('p', { class: 'muted', id: 'control-message' });
  const run = (label, path, body) => h('button', { onclick: async () => {
    message.textContent = `${label}…`;
    try {
      const res = await post(path, body);
      message.textContent = `${label}: ${res?.state ?? 'ok'}`;
    } catch (err) {
      message.textContent = `${label} failed: ${explain(err)}`;
    }
  } }, label);
  const quality = h('div', { class: 'quality', id: 'signal-quality' });
  const bandCanvas = h('canvas', { id: 'band-chart' });
  const scoreCanvas = h('canvas', { id: 'score-chart' });
  const heartCanvas = h('canvas', { id: 'heart-chart' });
  const rate = h('span', { class: 'muted', id: 'band-rate' });
  container.append(
    section('Device', { id: 'device' },
      h('div', { class: 'row' }, state, run('Start virtual session', '/v1/control/start-session', { target: 'virtual' }), run('Stop session', '/v1/control/cancel-session', {})),
      h('div', { class: 'figures' }, device.node, samples.node, battery.node), countdown, message),
    section('Signal quality', {}, quality),
    section('Band powers (relative)', { class: 'wide' }, h('div', { class: 'row' }, legend(BANDS), rate), bandCanvas),
    section('Scores', {}, legend(SCORES), scoreCanvas),
    section('Heart rate', {}, legend(HEART), heartCanvas),
  );
  const bands = new LineChart(bandCanvas, { series: BANDS, windowSecs: WINDOW_SECS, yMin: 0, yMax: 1, height: 200 });
  const scores = new LineChart(scoreCanvas, { series: SCORES, windowSecs: WINDOW_SECS, yMin: 0, yMax: 100 });
  const heart = new LineChart(heartCanvas, { series: HEART, windowSecs: WINDOW_SECS });
  let channelNames = [];

  const showStatus = (s) => {
    state.dataset.state = s.state;
    state.textContent = s.state;
    device.set(s.device_name ?? s.target_display_name ?? '–');
    samples.set(String(s.sample_count ?? 0));
    battery.set(s.battery === null || s.battery === undefined ? '–' : `${Math.round(s.battery)} %`);
    channelNames = s.channel_names ?? channelNames;
    if (s.channel_quality) showQuality(s.channel_quality);
  };
  const showQuality = (list) => {
    quality.replaceChildren(...list.map((q, i) => badge(q, channelNames[i] ?? `ch${i + 1}`)));
  };
  const showReconnect = (r) => {
    countdown.textContent = r.pending ? `reconnecting in ${r.countdown} s (attempt ${r.attempt})` : 'not reconnecting';
    countdown.dataset.pending = String(!!r.pending);
  };

  // The arrival rate over the last few seconds, as the page sees it.
  const arrivals = [];
  const offs = [
    events.on('status', showStatus),
    events.on('reconnect-state', showReconnect),
    events.on('SignalQuality', (p) => showQuality(p.quality ?? [])),
    events.on('EegBands', (p) => {
      const t = p.timestamp ?? Date.now() / 1000;
      bands.push(t, bandValues(p));
      scores.push(t, { focus: p.focus, relaxation: p.relaxation, engagement: p.engagement });
      if (typeof p.hr === 'number') heart.push(t, { hr: p.hr });
      const now = performance.now();
      arrivals.push(now);
      while (arrivals.length && arrivals[0] < now - 5_000) arrivals.shift();
      if (arrivals.length > 1) rate.textContent = `${((arrivals.length - 1) / ((now - arrivals[0]) / 1000)).toFixed(1)} updates/s`;
    }),
  ];
  void get('/v1/status').then(showStatus, (err) => { message.textContent = `status: ${explain(err)}`; });
  void get('/v1/reconnect-state').then(showReconnect, () => {});
  return () => offs.forEach((off) => off());
}
