// Token scopes and what each may reach, as the reference daemon decides it (notes §10.3):
// the path is compared after stripping a leading `/v1`; "read" means GET or HEAD.
export const ACLS = ['admin', 'read_only', 'data', 'stream'] as const;
export type Acl = (typeof ACLS)[number];

const DATA_PREFIXES = ['/labels', '/history', '/search', '/analysis', '/llm/chat', '/chat/completions'];
const DATA_READ_PREFIXES = ['/version', '/status', '/activity/latest-bands'];
/**
 * Read paths matched whole. `/models` is OpenAI's model list, which the chat completions a data
 * token may call are configured from; the reference denies it (its rule covers `/chat/completions`
 * but not the list), so OpenAI clients holding a data token could not start. Only the exact path:
 * `/models/*` (the EEG encoder's routes) stays closed.
 */
const DATA_READ_PATHS = ['/models'];
const STREAM_READ_PREFIXES = ['/events', '/status', '/version', '/activity/latest-bands'];

function stripV1(path: string): string {
  return path === '/v1' ? '/' : path.startsWith('/v1/') ? path.slice(3) : path;
}

export function aclAllows(acl: Acl, method: string, path: string): boolean {
  const p = stripV1(path);
  const read = method === 'GET' || method === 'HEAD';
  switch (acl) {
    case 'admin':
      return true;
    case 'read_only':
      return read;
    case 'data':
      // `/events` is named explicitly: a data token may not open the live stream.
      if (p.startsWith('/events')) return false;
      return DATA_PREFIXES.some((x) => p.startsWith(x)) || (read && (DATA_READ_PREFIXES.some((x) => p.startsWith(x)) || DATA_READ_PATHS.includes(p)));
    case 'stream':
      return read && STREAM_READ_PREFIXES.some((x) => p.startsWith(x));
  }
}
