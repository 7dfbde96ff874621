// The dashboard's entry: takes the token, opens the event stream, and shows one page at a time
// (chosen by the address's #fragment). Each page module exports `mount(container, ctx)`, which
// returns a function that undoes everything it started (event handlers, timers).
import { adoptToken, setToken } from './daemonApi.js';
import { EventStream } from './eventStream.js';
import { mount as actorsPage } from './actorsPage.js';
import { mount as livePage } from './livePage.js';
import { mount as historyPage } from './historyPage.js';
import { mount as systemPage } from './systemPage.js';

const PAGES = { actors: actorsPage, live: livePage, history: historyPage, system: systemPage };

function start() {
  const connection = document.getElementById('connection');
  const events = new EventStream((state) => {
    connection.dataset.state = state;
    connection.textContent = state === 'open' ? 'live' : state;
  });
  events.open();
  const container = document.getElementById('page');
  let unmount = () => {};
  const show = () => {
    const name = location.hash.slice(1) in PAGES ? location.hash.slice(1) : 'actors';
    unmount();
    container.replaceChildren();
    for (const a of document.querySelectorAll('nav a')) a.classList.toggle('current', a.dataset.page === name);
    document.body.dataset.page = name;
    unmount = PAGES[name](container, { events });
  };
  window.addEventListener('hashchange', show);
  show();
}

if (adoptToken()) {
  start();
} else {
  const prompt = document.getElementById('token-prompt');
  prompt.hidden = false;
  prompt.querySelector('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken(new FormData(ev.target).get('token'));
    prompt.hidden = true;
    start();
  });
}
