// The global search index statechart: an index thread started when something needs the index
// (supplied by actors/search/globalSearch.ts), and what the thread reports it is doing.
//
//   parked ──index.wanted──▶ active: opening ──index.ready──▶ ready ──index.rebuilding──▶ rebuilding
//     ▲                                                         │  ◀──────index.ready──────┘
//     └──────────────────────────index.idle─────────────────────┘
//
// `parked` has no thread: an always-on daemon where no one searches and no epoch is stored does
// not keep a V8 isolate and the index in memory. A search, a stats/rebuild/devices request or a
// stored vector wakes it (`index.wanted`); after a while in `ready` with nothing in flight the
// implementation sends `index.idle`, and leaving `active` stops the thread, which saves first.
// Searches wait while `opening` (the load, catch-up or first build); during `rebuilding` they
// use the index being replaced. The thread dying is not a state: `index.lost` makes the actor
// fail, and its supervisor starts it again, parked; work still waiting wakes it at once.
import { fromCallback, setup } from 'xstate';

export type SearchIndexEvent =
  /** Something needs the index (a request, a stored vector). */
  | { type: 'index.wanted' }
  /** Nothing has used it for the park delay. */
  | { type: 'index.idle' }
  | { type: 'index.opening' }
  | { type: 'index.ready' }
  | { type: 'index.rebuilding' }
  | { type: 'index.lost'; message: string };

export class SearchThreadLost extends Error {}

export const searchIndexMachine = setup({
  types: { events: {} as SearchIndexEvent },
  actors: {
    /** For the actor's whole life: how the implementation sends `index.wanted` (parked too). */
    link: fromCallback<SearchIndexEvent>(() => undefined),
    /** While active: owns the index thread, relays its state, and sends `index.idle`. */
    thread: fromCallback<SearchIndexEvent>(() => undefined),
  },
}).createMachine({
  id: 'search',
  initial: 'parked',
  invoke: { id: 'link', src: 'link' },
  on: {
    'index.lost': {
      actions: ({ event }) => {
        throw new SearchThreadLost(event.message);
      },
    },
  },
  states: {
    parked: { on: { 'index.wanted': 'active' } },
    active: {
      invoke: { id: 'thread', src: 'thread' },
      initial: 'opening',
      on: { 'index.opening': '.opening' },
      states: {
        opening: { on: { 'index.ready': 'ready', 'index.rebuilding': 'rebuilding' } },
        ready: { on: { 'index.rebuilding': 'rebuilding', 'index.idle': '#search.parked' } },
        rebuilding: { on: { 'index.ready': 'ready' } },
      },
    },
  },
});
