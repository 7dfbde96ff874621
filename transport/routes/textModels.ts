// The text embedding model (notes §5.6): which model embeds labels, the search graph's query and
// the command palette, and switching it. Switching re-embeds the labels in the background, so
// they stay searchable under the new model without a separate call.
import * as z from 'zod';
import { SentenceModelError } from '../../actors/embeddings/sentenceModel.ts';
import { UnknownTextModel } from '../../actors/embeddings/textModels.ts';
import { LabelsBusy } from '../../actors/labels/labels.ts';
import { HttpError, notFound } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

const selectBody = z
  .object({ model: z.string().min(1).max(256).optional(), modelCode: z.string().min(1).max(256).optional() })
  .refine((b) => b.model !== undefined || b.modelCode !== undefined, { message: "missing 'model' field", path: ['model'] });

export function textModelRoutes(s: RouteServices): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/models/text-embedding', scope: 'acl',
      summary:
        'The text embedding model in use and the ones available: `{model, dim, lexical, models_dir, available:[{name, builtin, usable, missing?}]}`. Sentence-embedding ONNX exports (model.onnx, tokenizer.json, optional tokenizer_config.json and 1_Pooling/config.json) copied into `<data>/models/text/<name>/` are listed by folder name.',
      handler: async () => ({ ...(await s.textModels.current()), models_dir: s.textModels.dir, available: s.textModels.list() }),
    }),
    route({
      method: 'POST', path: '/v1/models/text-embedding', scope: 'acl',
      summary:
        'Switch the text embedding model `{model}` (or `{modelCode}`): loads it, keeps the choice in `text_embedding_model`, and re-embeds every label with it in the background (`labels_reembedding`). → `{ok, model, dim, lexical, labels_reembedding}`. 404 for a name not in the list, 422 `model_load_failed` when its files do not load; the current model stays on failure.',
      body: selectBody,
      handler: async ({ body }) => {
        const name = (body.model ?? body.modelCode)!;
        let selected;
        try {
          selected = await s.textModels.select(name);
        } catch (err) {
          if (err instanceof UnknownTextModel) throw notFound(err.message);
          if (err instanceof SentenceModelError) throw new HttpError(422, 'model_load_failed', `failed to load model '${name}': ${err.message}`);
          throw err;
        }
        const reembed = s.labels.reembed();
        reembed.catch((err: Error) => {
          if (!(err instanceof LabelsBusy)) s.log.warn('labels', `re-embedding labels after the model switch failed: ${err.message}`);
        });
        return { ok: true, ...selected, labels_reembedding: true };
      },
    }),
  ];
}
