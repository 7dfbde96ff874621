// Actors: the supervisor tree (status, state, restarts), the selected actor's statechart with its
// current state highlighted live from `actor-transition` events, what a clicked state answers
// to, and the actor's last transitions with the events that caused them.
import { explain, get } from './daemonApi.js';
import { badge, h, section } from './dom.js';
import { activePaths, StatechartView } from './statechartSvg.js';

const TRANSITIONS_SHOWN = 20;

/** A state value in one line: the deepest active states, `session.streaming.receiving`. */
export function stateText(value) {
  if (value === null || value === undefined) return '–';
  const paths = activePaths(value);
  return paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`))).join(', ');
}

function flatten(node, depth = 0, out = []) {
  out.push({ node, depth });
  for (const c of node.children) flatten(c, depth + 1, out);
  return out;
}

export function mount(container, { events }) {
  const treeBody = h('tbody');
  const treeError = h('p', { class: 'error' });
  const chartTitle = h('h2', {}, 'Statechart');
  const chartHolder = h('div', { id: 'statechart' });
  const statePanel = h('div', { id: 'state-events', class: 'muted' }, 'Click a state to see the events it answers to.');
  const transitionsBody = h('tbody');
  container.append(
    section('Supervisor tree', { id: 'actor-tree' }, treeError,
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'actor'), h('th', {}, 'machine'), h('th', {}, 'status'), h('th', {}, 'state'), h('th', {}, 'restarts'))), treeBody)),
    h('section', { class: 'wide', id: 'actor-chart' }, chartTitle, chartHolder, statePanel),
    section('Last transitions', { id: 'actor-transitions', class: 'wide' },
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'event'), h('th', {}, 'from'), h('th', {}, 'to'))), transitionsBody)),
  );

  let machines = {};
  const nodes = new Map();
  let selected = 'device';
  let view = null;

  const renderTransitions = () => {
    const node = nodes.get(selected);
    const list = (node?.transitions ?? []).slice(-TRANSITIONS_SHOWN).reverse();
    transitionsBody.replaceChildren(...list.map((t) => h('tr', {},
      h('td', { class: 'mono' }, new Date(t.ts_unix_ms).toLocaleTimeString()),
      h('td', { class: 'mono' }, t.event),
      h('td', { class: 'mono' }, stateText(t.from)),
      h('td', { class: 'mono' }, stateText(t.to)))));
  };

  const showState = (path) => {
    view?.select(path);
    const out = view?.outgoing(path) ?? [];
    statePanel.classList.remove('muted');
    statePanel.replaceChildren(
      h('p', {}, 'Events ', h('code', {}, path), ' answers to (its own and its parents\'):'),
      h('table', {}, h('tbody', {}, out.map((t) => h('tr', {},
        h('td', { class: 'mono' }, t.event),
        h('td', { class: 'mono' }, t.guard ? `[${t.guard}]` : ''),
        h('td', { class: 'mono' }, t.targets.length ? `→ ${t.targets.join(', ')}` : '(stays)'),
        h('td', { class: 'muted' }, t.source === '' ? 'from the machine root' : t.source === path ? '' : `from ${t.source}`))))),
    );
  };

  const renderChart = () => {
    const node = nodes.get(selected);
    chartTitle.textContent = node ? `Statechart: ${node.id} (${node.machine})` : 'Statechart';
    const def = node && machines[node.machine];
    view = null;
    if (!def) {
      chartHolder.replaceChildren(h('p', { class: 'muted' }, node ? `no statechart definition for machine "${node.machine}"` : 'select an actor'));
    } else {
      view = new StatechartView(def, showState);
      view.svg.dataset.actor = node.id;
      chartHolder.replaceChildren(view.svg);
      view.setActive(node.state);
    }
    renderTransitions();
  };

  const renderTree = (tree) => {
    nodes.clear();
    treeBody.replaceChildren(...flatten(tree).map(({ node, depth }) => {
      nodes.set(node.id, node);
      const row = h('tr', { class: `selectable${node.id === selected ? ' selected' : ''}`, 'data-actor': node.id, onclick: () => select(node.id) },
        h('td', {}, h('span', { class: 'muted' }, '· '.repeat(depth)), node.id),
        h('td', { class: 'mono' }, node.machine),
        h('td', {}, badge(node.status)),
        h('td', { class: 'mono state' }, stateText(node.state)),
        h('td', { class: 'restarts' }, String(node.restarts)));
      return row;
    }));
  };

  const select = (id) => {
    selected = id;
    for (const row of treeBody.querySelectorAll('tr')) row.classList.toggle('selected', row.dataset.actor === id);
    statePanel.replaceChildren('Click a state to see the events it answers to.');
    renderChart();
  };

  const refresh = async () => {
    try {
      const tree = await get('/v1/debug/actors');
      treeError.textContent = '';
      renderTree(tree);
      if (!nodes.has(selected)) selected = tree.children[0]?.id ?? tree.id;
      renderChart();
    } catch (err) {
      treeError.textContent = `could not read the actor tree: ${explain(err)}`;
    }
  };

  const offs = [
    events.on('actor-transition', (p) => {
      const node = nodes.get(p.actor);
      if (!node) return;
      node.state = p.to;
      node.transitions.push({ ts_unix_ms: p.ts_unix_ms, event: p.event, from: p.from, to: p.to });
      if (node.transitions.length > TRANSITIONS_SHOWN) node.transitions.shift();
      const cell = treeBody.querySelector(`tr[data-actor="${CSS.escape(p.actor)}"] td.state`);
      if (cell) cell.textContent = stateText(p.to);
      if (p.actor === selected) {
        view?.setActive(p.to);
        renderTransitions();
      }
    }),
    // A failure, exit or restart changes statuses and restart counts: read the tree again.
    ...['actor-failed', 'actor-exited', 'actor-restarted', 'actor-given-up'].map((type) => events.on(type, () => void refresh())),
  ];

  void (async () => {
    try {
      machines = (await get('/v1/debug/machines')).machines;
    } catch (err) {
      treeError.textContent = `could not read the statecharts: ${explain(err)}`;
    }
    await refresh();
  })();
  return () => offs.forEach((off) => off());
}
