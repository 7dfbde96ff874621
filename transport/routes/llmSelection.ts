// Choosing the model and projector the LLM server loads next, without loading them (notes §9.1,
// `/v1/llm/selection/*`). The choice is kept where switch-model keeps it: the active model and
// projector in `<data>/llm_catalog.json` (which `model_path` and `mmproj` of the llm-config
// follow), `autoload_mmproj` in the llm-config itself. A running server keeps its model until it
// is next started or switched; the reply's `running_model` says which one that is.
import * as z from 'zod';
import { route, type Route } from '../route.ts';
import { usableModel } from './llmServer.ts';
import type { RouteServices } from './services.ts';

export function llmSelectionRoutes(s: RouteServices): Route[] {
  const selection = () => {
    const st = s.llm.server.status();
    return {
      ok: true,
      active_model: s.llm.catalog.activeModel,
      active_mmproj: s.llm.catalog.activeMmproj,
      autoload_mmproj: s.llm.config.get().autoload_mmproj,
      running_model: st.status === 'stopped' ? null : st.filename,
    };
  };
  const REPLY = '`{ok, active_model, active_mmproj, autoload_mmproj, running_model}` (`running_model`: what a loading or running server has, null when stopped)';

  return [
    route({
      method: 'POST', path: '/v1/llm/selection/active-model', scope: 'acl',
      summary:
        `Make \`{filename}\` (a downloaded catalog model) the model the server loads at its next start; a running server is not restarted (\`switch-model\` does that). A projector of another repository is cleared. → ${REPLY}. 404 \`unknown_model\`, 400 \`is_mmproj\`, 409 \`not_downloaded\`.`,
      body: z.object({ filename: z.string().min(1) }),
      handler: ({ body }) => {
        const model = usableModel(s, body.filename, false);
        s.llm.catalog.setActiveModel(model.filename);
        return selection();
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/selection/active-mmproj', scope: 'acl',
      summary:
        `Make \`{filename}\` (a downloaded vision projector; \`null\` for none) the projector of the next start, without restarting the server. → ${REPLY}. 404 \`unknown_model\`, 400 \`not_mmproj\`, 409 \`not_downloaded\`. This build cannot load projectors (see \`switch-mmproj\`).`,
      body: z.object({ filename: z.string().min(1).nullable() }),
      handler: ({ body }) => {
        const model = body.filename === null ? null : usableModel(s, body.filename, true);
        s.llm.catalog.setActiveMmproj(model?.filename ?? null);
        return selection();
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/selection/autoload-mmproj', scope: 'acl',
      summary:
        `Whether the active projector is passed to the server at its start: \`{value: bool}\` (the reference's field) or \`{enabled: bool}\`; stored as llm-config \`autoload_mmproj\`. → ${REPLY} and \`value\`.`,
      body: z
        .object({ value: z.boolean().optional(), enabled: z.boolean().optional() })
        .refine((b) => b.value !== undefined || b.enabled !== undefined, { message: 'give value (or enabled): true or false', path: ['value'] })
        .refine((b) => b.value === undefined || b.enabled === undefined || b.value === b.enabled, { message: 'value and enabled disagree', path: ['enabled'] }),
      handler: ({ body }) => {
        const value = (body.value ?? body.enabled)!;
        s.llm.config.update({ autoload_mmproj: value });
        return { ...selection(), value };
      },
    }),
  ];
}
