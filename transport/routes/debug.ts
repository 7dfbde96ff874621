// The actor tree for operators and the visualizer, the statecharts it runs, and fault injection
// for supervision tests. Reading the tree and the statecharts is open to read_only tokens, so a
// dashboard can show them without a token that could change anything.
import * as z from 'zod';
import { describeMachine, type StatechartDefinition } from '../../actors/statecharts/statechartDefinition.ts';
import { MACHINE_CATALOG } from '../../machines/catalog.ts';
import { FAULT_MODES } from '../../actors/faults.ts';
import { notFound } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

let definitions: Record<string, StatechartDefinition> | null = null;
/** Built on first request: the machines never change while the daemon runs. */
const machineDefinitions = () =>
  (definitions ??= Object.fromEntries(Object.entries(MACHINE_CATALOG).map(([name, m]) => [name, describeMachine(m)])));

export function debugRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/debug/actors', scope: 'acl',
      summary: 'The supervisor tree: each actor\'s id, machine, state, supervisor status, restarts and recent transitions.',
      handler: () => s.actors.tree(),
    }),
    route({
      method: 'GET', path: '/v1/debug/machines', scope: 'acl',
      summary: 'The statecharts the actor tree runs, by machine name (an actor\'s `machine` in /v1/debug/actors): `{machines: {name: {id, states:[{path, key, type, initial, children, invokes}], transitions:[{source, event, targets, guard, reenter}]}}}`; state paths are dotted from the root (`""`), delayed transitions read `after <delay>`, eventless ones `always`.',
      handler: () => ({ machines: machineDefinitions() }),
    }),
    route({
      method: 'POST', path: '/v1/debug/actors/fault', scope: 'admin',
      summary: 'Make actor `{id}` fail (only with SKILL_FAULT_INJECTION=1; 404 otherwise): `mode` `throw` (default) makes its next step throw, `hang` makes it stop processing events until the heartbeat monitor fails it, `exit` makes it complete as if its process ended.',
      body: z.object({ id: z.string().min(1).max(64), mode: z.enum(FAULT_MODES).optional() }),
      handler: ({ body }) => {
        if (!s.config.faultInjection) throw notFound('fault injection is disabled (start with SKILL_FAULT_INJECTION=1)');
        if (!s.actors.injectFault(body.id, body.mode)) throw notFound(`no running actor "${body.id}"`);
        return { ok: true };
      },
    }),
  ];
}
