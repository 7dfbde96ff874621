// The LLM routes that need a vision runtime or tool execution (notes §9.4): image embedding, OCR
// and cancelling a tool call. This build has neither — node-llama-cpp 3.21 cannot load a
// multimodal projector, and chats run no tools — so the routes validate their bodies as the
// reference's do and then say so: 501 `not_supported` with the reason, and for a tool call
// `{ok:false, cancelled:false, reason}`. The reference answers all three with success-shaped
// replies even when nothing happened; a client here can tell.
import * as z from 'zod';
import { HttpError } from '../errors.ts';
import { route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

export const NO_VISION =
  'this build has no vision runtime: its llama.cpp bindings (node-llama-cpp 3.21) cannot load a multimodal projector, so images cannot be embedded or read';
export const NO_TOOLS = 'no tool calls run in this daemon: chats are answered without tool execution, so there is no tool call to cancel';

const notSupported = () => new HttpError(501, 'not_supported', NO_VISION);

/** Standard base64 (the reference decodes with the padded standard alphabet). */
const pngBase64 = z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be standard base64');

export function llmVisionAndToolsRoutes(_s: RouteServices): Route[] {
  return [
    route({
      method: 'POST', path: '/v1/llm/embed-image', scope: 'acl',
      summary: `Embed an image with the vision projector \`{pngBase64}\`. Always 501 \`not_supported\` in this build (after 422 for a body that is not base64): ${NO_VISION}.`,
      body: z.object({ pngBase64 }),
      handler: () => {
        throw notSupported();
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/ocr', scope: 'acl',
      summary: `Read the text in an image with the vision model \`{pngBase64}\`. Always 501 \`not_supported\` in this build (after 422 for a body that is not base64): ${NO_VISION}.`,
      body: z.object({ pngBase64 }),
      handler: () => {
        throw notSupported();
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/cancel-tool-call', scope: 'acl',
      summary: `Cancel a running tool call \`{toolCallId}\`. → \`{ok: false, cancelled: false, reason}\`: ${NO_TOOLS}.`,
      body: z.object({ toolCallId: z.string().min(1).max(200) }),
      handler: () => ({ ok: false, cancelled: false, reason: NO_TOOLS }),
    }),
  ];
}
