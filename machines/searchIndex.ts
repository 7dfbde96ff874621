// The global search index statechart: one index thread for the actor's life (supplied by
// actors/search/globalSearch.ts), and what the thread reports it is doing.
//
//   opening ──index.ready──▶ ready ──index.rebuilding──▶ rebuilding ──index.ready──▶ ready
//
// Searches wait while `opening` (the first load or rebuild); during `rebuilding` they use the
// index being replaced. The thread dying is not a state: `index.lost` makes the actor fail, and
// its supervisor starts it again with a fresh thread, which loads the saved index.
import { fromCallback, setup } from 'xstate';

export type SearchIndexEvent =
  | { type: 'index.opening' }
  | { type: 'index.ready' }
  | { type: 'index.rebuilding' }
  | { type: 'index.lost'; message: string };

export class SearchThreadLost extends Error {}

export const searchIndexMachine = setup({
  types: { events: {} as SearchIndexEvent },
  actors: {
    /** For the actor's whole life: owns the index thread and relays its state. */
    thread: fromCallback<SearchIndexEvent>(() => undefined),
  },
}).createMachine({
  id: 'search',
  initial: 'opening',
  invoke: { id: 'thread', src: 'thread' },
  on: {
    'index.lost': {
      actions: ({ event }) => {
        throw new SearchThreadLost(event.message);
      },
    },
    'index.opening': '.opening',
  },
  states: {
    opening: { on: { 'index.ready': 'ready', 'index.rebuilding': 'rebuilding' } },
    ready: { on: { 'index.rebuilding': 'rebuilding' } },
    rebuilding: { on: { 'index.ready': 'ready' } },
  },
});
