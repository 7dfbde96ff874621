// The actor tree for operators and the visualizer, and fault injection for supervision tests.
import { z } from 'zod';
import { notFound } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export function debugRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/debug/actors', scope: 'admin',
      summary: 'The supervisor tree: each actor\'s id, machine, state, supervisor status, restarts and recent transitions.',
      handler: () => s.actors.tree(),
    }),
    route({
      method: 'POST', path: '/v1/debug/actors/fault', scope: 'admin',
      summary: 'Make actor `{id}` throw on its next step (only with SKILL_FAULT_INJECTION=1; 404 otherwise).',
      body: z.object({ id: z.string().min(1).max(64) }),
      handler: ({ body }) => {
        if (!s.config.faultInjection) throw notFound('fault injection is disabled (start with SKILL_FAULT_INJECTION=1)');
        if (!s.actors.injectFault(body.id)) throw notFound(`no running actor "${body.id}"`);
        return { ok: true };
      },
    }),
  ];
}
