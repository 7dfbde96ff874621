// The event bus's delivery order: a listener subscribed `first` (the transport) sees every event
// before the others, whenever it subscribed, so an event published in reaction to another
// reaches it after its cause; a throwing listener does not stop delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../actors/eventBus.ts';

test('a first listener subscribed last still sees each event before the others', () => {
  const bus = new EventBus(() => 1);
  const order: string[] = [];
  bus.subscribe((e) => order.push(`actor:${e.type}`));
  bus.subscribe((e) => order.push(`wire:${e.type}`), { first: true });
  bus.publish('EegBands', {});
  assert.deepEqual(order, ['wire:EegBands', 'actor:EegBands']);
});

test('an event published in reaction reaches a first listener after its cause', () => {
  const bus = new EventBus(() => 1);
  const wire: string[] = [];
  // An actor subscribed while starting, before the transport, that reacts to a tick.
  bus.subscribe((e) => {
    if (e.type === 'EegBands') bus.publish('actor-transition', { actor: 'dnd' });
  });
  bus.subscribe((e) => wire.push(e.type), { first: true });
  bus.publish('EegBands', {});
  assert.deepEqual(wire, ['EegBands', 'actor-transition']);
});

test('a throwing listener does not stop delivery, and unsubscribing stops it', () => {
  const bus = new EventBus(() => 1);
  const seen: string[] = [];
  bus.subscribe(() => {
    throw new Error('broken');
  }, { first: true });
  const off = bus.subscribe((e) => seen.push(e.type));
  const offFirst = bus.subscribe((e) => seen.push(`first:${e.type}`), { first: true });
  bus.publish('a', null);
  off();
  offFirst();
  bus.publish('b', null);
  assert.deepEqual(seen, ['first:a', 'a']);
});
