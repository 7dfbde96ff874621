// A tiny element builder: h('td', {class: 'state'}, 'text', childNode). Strings become text
// nodes, never HTML, so nothing the daemon reports can inject markup.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

export const section = (title, attrs = {}, ...children) => h('section', attrs, h('h2', {}, title), ...children);

export const badge = (state, text = state) => h('span', { class: 'badge', 'data-state': state }, text);

export function figure(label) {
  const value = h('b', {}, '–');
  const node = h('div', { class: 'figure' }, value, h('small', {}, label));
  return { node, set: (text) => { value.textContent = text; } };
}

export const fmtTime = (unixSecs) => new Date(unixSecs * 1000).toLocaleTimeString();
export const fmtBytes = (n) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`);
export const fmtDuration = (s) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);
