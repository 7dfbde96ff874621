// What a remote client may reach, by the scope it was registered with. The reference's scopes
// are `read` (default), `full` and `custom` (a list of command groups); its REST check mapped
// only `admin|data|stream`, so a `full` client was read-only (notes §8.6 QUIRK). Here each scope
// means what it says: `read` → the read_only ACL, `full` → everything an admin token may do,
// `custom` → exactly the groups chosen, and an ACL name (`admin`, `read_only`, `data`, `stream`)
// is taken as that ACL.
import { ACLS, type Acl } from '../auth/acl.ts';

export const CLIENT_SCOPES = ['read', 'full', 'custom', ...ACLS] as const;
export type ClientScope = (typeof CLIENT_SCOPES)[number];
export const DEFAULT_CLIENT_SCOPE: ClientScope = 'read';

export interface ScopeGroup {
  id: string;
  label: string;
  description: string;
  /** Mutating groups: their paths may be written to, not only read. */
  mutating: boolean;
  /** Groups that can change what the daemon records, runs or who may reach it. */
  dangerous: boolean;
  /** Path prefixes (after `/v1`) the group covers. */
  paths: string[];
}

export const SCOPE_GROUPS: readonly ScopeGroup[] = [
  { id: 'status', label: 'Status', description: 'daemon status, version, live band powers and scores', mutating: false, dangerous: false, paths: ['/status', '/version', '/activity', '/devices'] },
  { id: 'search', label: 'Search', description: 'similarity search over stored EEG and labels', mutating: false, dangerous: false, paths: ['/search'] },
  { id: 'history', label: 'History', description: 'recorded sessions, their metrics and exports', mutating: false, dangerous: false, paths: ['/history', '/analysis'] },
  { id: 'llm_view', label: 'LLM (view)', description: 'LLM server state and catalog', mutating: false, dangerous: false, paths: ['/llm/server', '/llm/catalog', '/llm/selection', '/models'] },
  { id: 'iroh_view', label: 'Remote access (view)', description: 'this listener\'s state and the client list', mutating: false, dangerous: false, paths: ['/iroh/info', '/iroh/clients', '/iroh/scope-groups'] },
  { id: 'labels', label: 'Labels', description: 'create, edit and delete labels', mutating: true, dangerous: false, paths: ['/labels'] },
  { id: 'llm_chat', label: 'LLM chat', description: 'chat completions on the local model', mutating: true, dangerous: false, paths: ['/llm/chat', '/chat/completions'] },
  { id: 'control', label: 'Session control', description: 'start and stop sessions, pair devices', mutating: true, dangerous: true, paths: ['/control', '/devices', '/lsl'] },
  { id: 'settings', label: 'Settings', description: 'change any daemon setting', mutating: true, dangerous: true, paths: ['/settings'] },
];

/** The groups `read` stands for, as the reference's READ_GROUPS (safe, read-only groups). */
export const READ_GROUPS = SCOPE_GROUPS.filter((g) => !g.mutating).map((g) => g.id);

export function isScopeGroup(id: string): boolean {
  return SCOPE_GROUPS.some((g) => g.id === id);
}

/** The ACL a scope acts with on routes that check ACLs; `custom` is checked by its groups on top. */
export function aclForScope(scope: ClientScope): Acl {
  switch (scope) {
    case 'full':
      return 'admin';
    case 'read':
    case 'custom':
      return 'read_only';
    default:
      return scope;
  }
}

/** Whether a `custom` client's groups cover this request: reads by any group, writes by a mutating one. */
export function groupsAllow(groups: readonly string[], method: string, path: string): boolean {
  const p = path === '/v1' ? '/' : path.startsWith('/v1/') ? path.slice(3) : path;
  const read = method === 'GET' || method === 'HEAD';
  return SCOPE_GROUPS.some(
    (g) => groups.includes(g.id) && (read || g.mutating) && g.paths.some((prefix) => p === prefix || p.startsWith(prefix + '/')),
  );
}
