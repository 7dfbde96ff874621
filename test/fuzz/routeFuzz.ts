// Fuzzes every route of the route table against a running daemon (test/e2e.fuzz.test.ts runs
// a small number per route in `npm test`; `npm run fuzz` runs 10,000). For each request:
// - no 5xx but 501 (not supported here) and 503/504 (a subsystem not running, a timeout), which
//   are declared answers: a 500 is an unexpected exception, a 502 a failure passed through;
// - every error is JSON in the route's error shape (the daemon's, or OpenAI's on its routes);
// - the daemon answers /healthz after each route;
// - a rejected request changes nothing: for a sample of requests, the daemon's stored state (every
//   settings section, labels, tokens, hooks, chats, the LLM and EEG model configs) is read before
//   and after, and must be identical when the request was refused.
import fc from 'fast-check';
import http from 'node:http';
import { concretePath, ROUTES } from '../helpers/routes.ts';
import { failedOnStaleSocket } from '../helpers/staleSocket.ts';
import { requestArbitrary, type FuzzRequest } from './requestArbitraries.ts';

/**
 * Routes not fuzzed, each for a reason outside "bad input": what they do when a generated body
 * happens to be valid reaches beyond the daemon (runs commands, captures the screen, installs a
 * service), or takes away the token the fuzzer itself uses. Their bad inputs have their own tests.
 */
export const NOT_FUZZED: Readonly<Record<string, string>> = {
  'GET /v1/events': 'a WebSocket',
  'POST /v1/auth/default-token/refresh': 'replaces the token the fuzzer authenticates with',
  'POST /v1/settings/screenshot/config': 'a valid body can enable capturing the real screen',
  'POST /v1/settings/dnd/config': 'a valid body can set the command run when Do Not Disturb applies',
  'POST /v1/hooks': 'a valid body can add rules that run commands',
  'PUT /v1/hooks': 'a valid body can add rules that run commands',
  'POST /service/install': 'installs a system service',
  'POST /service/uninstall': 'removes a system service',
  'POST /v1/settings/hooks/commands': 'a valid body can allow hook rules to run commands',
  'POST /v1/settings/dnd/command': 'a valid body sets the command run when Do Not Disturb applies',
  'POST /v1/lsl/virtual-source/start': 'a valid body publishes an LSL stream on the machine\'s well-known LSL port, where every other LSL program sees it',
};

/** Routes that take seconds by design (a discovery window): fuzzed with this many requests at most. */
const SLOW_ROUTES: Readonly<Record<string, number>> = {
  'GET /v1/lsl/discover': 5,
};

/** Requests in flight at once for one route (the state-checked ones go alone). */
const CONCURRENCY = 8;

const DECLARED_5XX = new Set([501, 503, 504]);

/** Where the daemon keeps state a refused request must not touch. */
function stateProbes(): string[] {
  const posts = new Set(ROUTES.filter((r) => r.method === 'POST').map((r) => r.path));
  const settingsPairs = ROUTES.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/settings/') && posts.has(r.path)).map((r) => r.path);
  const lists = ['/v1/labels', '/v1/auth/tokens', '/v1/hooks', '/v1/llm/chat/sessions', '/v1/llm/chat/archived-sessions', '/v1/models/config', '/v1/models/text-embedding'];
  const known = new Set(ROUTES.filter((r) => r.method === 'GET').map((r) => r.path));
  return [...settingsPairs, ...lists.filter((p) => known.has(p))];
}

export interface FuzzOptions {
  port: number;
  token: string;
  runsPerRoute: number;
  /** How many requests per route get the before/after state comparison. */
  stateChecksPerRoute: number;
  seed: number;
  /** Called after each route with its counts. */
  onRoute?: (key: string, counts: RouteCounts) => void;
}

export interface RouteCounts {
  requests: number;
  byStatus: Record<number, number>;
  stateChecks: number;
}

export interface FuzzFailure {
  route: string;
  request: FuzzRequest;
  status: number;
  problem: string;
}

interface Reply {
  status: number;
  contentType: string;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(port: number, token: string, method: string, path: string, req: FuzzRequest, retried = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
    if (req.body !== null) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const r = http.request({ host: '127.0.0.1', port, method, path: req.query ? `${path}?${req.query}` : path, headers, agent }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.includes('text/event-stream')) {
        // An accepted stream: its status is the answer; closing it is what a client going away does.
        resolve({ status: res.statusCode ?? 0, contentType, text: '' });
        r.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && failedOnStaleSocket(r, err)) resolve(send(port, token, method, path, req, true));
      else reject(err);
    });
    // Streaming routes (SSE) would hold the connection: a fuzzed request needs only the status.
    r.setTimeout(10_000, () => r.destroy(new Error(`no answer in 10 s from ${method} ${path}`)));
    r.end(req.body ?? undefined);
  });
}

/** The error body is the daemon's shape, or OpenAI's `{error:{message,type}}` on its routes. */
function errorShapeProblem(reply: Reply): string | null {
  if (!reply.contentType.includes('application/json')) return `error with content-type ${reply.contentType || 'none'}`;
  let body: any;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return 'error body is not JSON';
  }
  const daemon = body && body.ok === false && typeof body.code === 'string' && typeof body.message === 'string';
  const openai = body && typeof body.error === 'object' && typeof body.error?.message === 'string' && typeof body.error?.type === 'string';
  return daemon || openai ? null : `error body in neither error shape: ${reply.text.slice(0, 200)}`;
}

async function snapshot(port: number, token: string, probes: string[]): Promise<string> {
  const parts = await Promise.all(probes.map((p) => send(port, token, 'GET', p, { body: null, query: '' }).then((r) => `${p} ${r.status} ${r.text}`)));
  return parts.join('\n');
}

export async function fuzzRoutes(o: FuzzOptions): Promise<{ failures: FuzzFailure[]; routes: number; requests: number }> {
  const failures: FuzzFailure[] = [];
  const probes = stateProbes();
  let requests = 0;
  let routeIndex = 0;
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    routeIndex++;
    if (NOT_FUZZED[key]) continue;
    const path = concretePath(route);
    const runs = Math.min(o.runsPerRoute, SLOW_ROUTES[key] ?? Infinity);
    const samples = fc.sample(requestArbitrary(route), { numRuns: runs, seed: o.seed + routeIndex });
    const counts: RouteCounts = { requests: 0, byStatus: {}, stateChecks: 0 };
    const every = Math.max(1, Math.floor(samples.length / Math.max(1, o.stateChecksPerRoute)));

    const judge = (req: FuzzRequest, reply: Reply) => {
      requests++;
      counts.requests++;
      counts.byStatus[reply.status] = (counts.byStatus[reply.status] ?? 0) + 1;
      if (reply.status >= 500 && !DECLARED_5XX.has(reply.status)) {
        failures.push({ route: key, request: req, status: reply.status, problem: reply.text.slice(0, 300) });
      } else if (reply.status >= 400) {
        const problem = errorShapeProblem(reply);
        if (problem) failures.push({ route: key, request: req, status: reply.status, problem });
      }
    };
    let unanswered = false;
    const sendJudged = (req: FuzzRequest) =>
      send(o.port, o.token, route.method, path, req).then(
        (reply) => (judge(req, reply), reply),
        (err: Error) => {
          unanswered = true;
          failures.push({ route: key, request: req, status: 0, problem: `no answer: ${err.message}` });
          return null;
        },
      );

    for (let i = 0; i < samples.length && !unanswered; ) {
      if (i % every === 0 && counts.stateChecks < o.stateChecksPerRoute) {
        // Alone, so that nothing else in flight can change the state between the two reads.
        const req = samples[i++]!;
        const probe = () => snapshot(o.port, o.token, probes).catch((err: Error) => {
          unanswered = true;
          failures.push({ route: key, request: req, status: 0, problem: `reading the state failed: ${err.message}` });
          return null;
        });
        const before = await probe();
        if (before === null) break;
        const reply = await sendJudged(req);
        if (reply && reply.status >= 400) {
          counts.stateChecks++;
          const after = await probe();
          if (after === null) break;
          if (after !== before) failures.push({ route: key, request: req, status: reply.status, problem: `a refused request changed state:\n${firstDifference(before, after)}` });
        }
        continue;
      }
      const batch: FuzzRequest[] = [];
      while (batch.length < CONCURRENCY && i < samples.length && !(i % every === 0 && counts.stateChecks < o.stateChecksPerRoute)) batch.push(samples[i++]!);
      await Promise.all(batch.map(sendJudged));
    }
    const health = await send(o.port, o.token, 'GET', '/healthz', { body: null, query: '' }).catch((err: Error) => ({ status: 0, text: err.message, contentType: '' }));
    if (health.status !== 200) {
      failures.push({ route: key, request: { body: null, query: '' }, status: health.status, problem: `/healthz failed after fuzzing this route: ${health.text}` });
      break;
    }
    o.onRoute?.(key, counts);
  }
  return { failures, routes: routeIndex, requests };
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `before: ${(la[i] ?? '').slice(0, 300)}\nafter:  ${(lb[i] ?? '').slice(0, 300)}`;
  }
  return '(no line differs)';
}
