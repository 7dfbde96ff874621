// The LLM chat history (notes §9.4, `/v1/llm/chat/*`): sessions, their messages and the tool
// calls made while answering them, kept in `<data>/chats/chat_history.sqlite` (chatStore.ts).
// Bodies, replies and field names are the reference's; where it answers `{ok:true}` for an id that
// does not exist, or stores a message in no session, these routes answer 404 and store nothing.
// Data-scoped tokens reach every route here (the `/llm/chat` prefix of notes §10.3).
import * as z from 'zod';
import { MAX_PAGE_LIMIT } from '../../actors/history/paging.ts';
import type { SessionSummary } from '../../actors/llm/chatStore.ts';
import { HttpError } from '../errors.ts';
import { Reply, route, type Route } from '../route.ts';
import type { RouteServices } from './services.ts';

/** A message's `content` or `thinking`, in characters; the 1 MiB body limit (413) applies first. */
export const MAX_MESSAGE_CHARS = 500_000;
export const MAX_TITLE_CHARS = 200;
export const MAX_PARAMS_CHARS = 65_536;
export const MAX_TOOL_CALLS = 64;
export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

const rowId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const idBody = z.object({ id: rowId });
const longText = (what: string) => z.string().max(MAX_MESSAGE_CHARS, `${what} is longer than ${MAX_MESSAGE_CHARS} characters`);

const toolCall = z.object({
  tool: z.string().min(1).max(200),
  status: z.string().max(64),
  detail: z.string().max(MAX_PARAMS_CHARS).nullable().optional(),
  tool_call_id: z.string().max(200).nullable().optional(),
  args: z.unknown().optional(),
  result: z.unknown().optional(),
});
const toolCalls = z.array(toolCall).max(MAX_TOOL_CALLS);

/** '' (the defaults) or the JSON text of an object. */
const paramsJson = z
  .string()
  .max(MAX_PARAMS_CHARS)
  .refine((t) => {
    if (t === '') return true;
    try {
      const v: unknown = JSON.parse(t);
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    } catch {
      return false;
    }
  }, 'must be "" or the JSON text of an object, e.g. "{\\"temperature\\":0.7}"');

const pagingQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

const SUMMARY_SHAPE = '`[{id, title, preview (the first 80 characters of the first user message), created_at (unix ms), message_count, archived}]`';
const MESSAGE_SHAPE =
  '`{session_id, session: {id, title, preview, created_at, message_count, archived}, messages: [{id, session_id, role, content, thinking, created_at, tool_calls: [{id, message_id, tool, status, detail, tool_call_id, args, result, created_at}]}]}`';
const PAGING = `Paging: \`?limit=\` (1–${MAX_PAGE_LIMIT}; none: all) and \`?offset=\`; headers \`x-total-count\` and, while more remain, \`x-next-offset\`.`;

const noSession = (id: number) => new HttpError(404, 'session_not_found', `no chat session with id ${id}`);

export function llmChatRoutes(s: RouteServices): Route[] {
  const chats = () => s.llm.chats;

  const sessionView = (id: number) => {
    const messages = chats().messages(id);
    const session = chats().summary(id);
    if (messages === null || session === null) throw noSession(id);
    return { session_id: id, session, messages };
  };

  const summaryOf = (id: number): SessionSummary => {
    const session = chats().summary(id);
    if (!session) throw noSession(id);
    return session;
  };

  const listOf = (archived: boolean, query: z.infer<typeof pagingQuery>) => {
    const total = chats().count(archived);
    const items = chats().list(archived, query.limit ?? -1, query.offset);
    const end = query.offset + items.length;
    const headers: Record<string, string> = { 'x-total-count': String(total) };
    if (end < total) headers['x-next-offset'] = String(end);
    return new Reply(200, items, headers);
  };

  return [
    route({
      method: 'POST', path: '/v1/llm/chat/last-session', scope: 'acl',
      summary: `The newest session that is not archived, with its messages (a new empty session when there is none): ${MESSAGE_SHAPE}.`,
      handler: () => sessionView(chats().lastSession()),
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/load-session', scope: 'acl',
      summary: `A session \`{id}\` with its messages in the order saved, each with its tool calls: ${MESSAGE_SHAPE}. 404 \`session_not_found\`.`,
      body: idBody,
      handler: ({ body }) => sessionView(body.id),
    }),
    route({
      method: 'GET', path: '/v1/llm/chat/sessions', scope: 'acl',
      summary: `Sessions that are not archived, newest first: ${SUMMARY_SHAPE}. ${PAGING}`,
      query: pagingQuery,
      handler: ({ query }) => listOf(false, query),
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/rename', scope: 'acl',
      summary: `Set a session's title \`{id, title}\` (at most ${MAX_TITLE_CHARS} characters; \`""\` clears it): \`{ok, session}\`. 404 \`session_not_found\`.`,
      body: z.object({ id: rowId, title: z.string().max(MAX_TITLE_CHARS) }),
      handler: ({ body }) => {
        if (!chats().rename(body.id, body.title)) throw noSession(body.id);
        return { ok: true, session: summaryOf(body.id) };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/delete', scope: 'acl',
      summary: 'Delete a session `{id}` with its messages and their tool calls: `{ok, id}`. 404 `session_not_found`.',
      body: idBody,
      handler: ({ body }) => {
        if (!chats().delete(body.id)) throw noSession(body.id);
        return { ok: true, id: body.id };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/archive', scope: 'acl',
      summary: 'Archive a session `{id}`: it leaves `sessions` (and `last-session`) for `archived-sessions`, messages kept. `{ok, session}`; archiving an archived session is not an error. 404 `session_not_found`.',
      body: idBody,
      handler: ({ body }) => {
        if (!chats().setArchived(body.id, true)) throw noSession(body.id);
        return { ok: true, session: summaryOf(body.id) };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/unarchive', scope: 'acl',
      summary: 'Bring an archived session `{id}` back to `sessions`: `{ok, session}`. 404 `session_not_found`.',
      body: idBody,
      handler: ({ body }) => {
        if (!chats().setArchived(body.id, false)) throw noSession(body.id);
        return { ok: true, session: summaryOf(body.id) };
      },
    }),
    route({
      method: 'GET', path: '/v1/llm/chat/archived-sessions', scope: 'acl',
      summary: `Archived sessions, newest first: ${SUMMARY_SHAPE}. ${PAGING}`,
      query: pagingQuery,
      handler: ({ query }) => listOf(true, query),
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/save-message', scope: 'acl',
      summary:
        `Append a message to a session: \`{sessionId, role (${CHAT_ROLES.join('|')}), content, thinking?, toolCalls?: [{tool, status, detail?, tool_call_id?, args?, result?}]}\` → \`{ok, id}\` (the message id), stored with its tool calls in one transaction. ` +
        `\`content\` and \`thinking\` hold at most ${MAX_MESSAGE_CHARS} characters (422); a body over 1 MiB is 413. 404 \`session_not_found\`.`,
      body: z.object({
        sessionId: rowId,
        role: z.enum(CHAT_ROLES),
        content: longText('content'),
        thinking: longText('thinking').nullable().optional(),
        toolCalls: toolCalls.optional(),
      }),
      handler: ({ body }) => {
        const id = chats().saveMessage(body.sessionId, { role: body.role, content: body.content, thinking: body.thinking, tool_calls: body.toolCalls });
        if (id === null) throw noSession(body.sessionId);
        return { ok: true, id };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/session-params', scope: 'acl',
      summary: 'A session\'s generation parameters `{id}`: `{ok, value}`, the JSON text stored by `set-session-params` (`""`: the defaults). 404 `session_not_found`.',
      body: idBody,
      handler: ({ body }) => {
        const value = chats().params(body.id);
        if (value === null) throw noSession(body.id);
        return { ok: true, value };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/set-session-params', scope: 'acl',
      summary: `Store a session's generation parameters \`{id, paramsJson}\`: the JSON text of an object (e.g. \`"{\\"temperature\\":0.7}"\`, at most ${MAX_PARAMS_CHARS} characters) or \`""\` for the defaults; other text is 422. \`{ok}\`. 404 \`session_not_found\`.`,
      body: z.object({ id: rowId, paramsJson }),
      handler: ({ body }) => {
        if (!chats().setParams(body.id, body.paramsJson)) throw noSession(body.id);
        return { ok: true };
      },
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/new-session', scope: 'acl',
      summary: `Start an empty session: optional \`{title?, modelName?}\` → \`{ok, id}\`. It becomes \`last-session\`.`,
      body: z.object({ title: z.string().max(MAX_TITLE_CHARS).optional(), modelName: z.string().max(MAX_TITLE_CHARS).optional() }),
      handler: ({ body }) => ({ ok: true, id: chats().newSession(body.title ?? '', body.modelName ?? '') }),
    }),
    route({
      method: 'POST', path: '/v1/llm/chat/save-tool-calls', scope: 'acl',
      summary:
        `Attach tool calls to a saved message: \`{messageId, toolCalls: [{tool, status, detail?, tool_call_id?, args? (any JSON), result? (any JSON)}]}\` (at most ${MAX_TOOL_CALLS}; \`id\`, \`message_id\` and \`created_at\` in them are ignored) → \`{ok, ids}\`, all or none stored. 404 \`message_not_found\`.`,
      body: z.object({ messageId: rowId, toolCalls }),
      handler: ({ body }) => {
        const ids = chats().saveToolCalls(body.messageId, body.toolCalls);
        if (ids === null) throw new HttpError(404, 'message_not_found', `no chat message with id ${body.messageId}`);
        return { ok: true, ids };
      },
    }),
  ];
}
