// Finds the row of the route table for a method and path. Static paths are one Map lookup;
// paths with `{param}` segments are matched segment by segment. A path that exists under
// other methods answers 405 with an Allow list rather than 404.
import type { Method, Route } from './route.ts';

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string>; /** `METHOD /path` as in the table. */ key: string }
  | { kind: 'method_not_allowed'; allow: Method[] }
  | { kind: 'not_found' };

interface Pattern {
  segments: string[];
  byMethod: Map<Method, Route>;
}

/** A static path's answers, made once: the lookup of a request then allocates nothing. */
type StaticMatches = Map<Method, Match>;

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const routeKey = (r: Route) => `${r.method} ${r.path}`;

export class Router {
  private readonly statics = new Map<string, Map<Method, Route>>();
  private readonly staticMatches = new Map<string, StaticMatches>();
  private readonly keys = new Map<Route, string>();
  private readonly patterns: Pattern[] = [];
  readonly routes: readonly Route[];

  constructor(routes: Route[]) {
    this.routes = routes;
    for (const r of routes) {
      const isPattern = r.path.includes('{');
      let byMethod: Map<Method, Route>;
      if (isPattern) {
        const segments = r.path.split('/');
        let p = this.patterns.find((x) => x.segments.join('/') === segments.join('/'));
        if (!p) this.patterns.push((p = { segments, byMethod: new Map() }));
        byMethod = p.byMethod;
      } else {
        byMethod = this.statics.get(r.path) ?? new Map();
        this.statics.set(r.path, byMethod);
      }
      if (byMethod.has(r.method)) throw new Error(`duplicate route ${r.method} ${r.path}`);
      byMethod.set(r.method, r);
      this.keys.set(r, routeKey(r));
    }
    for (const [path, byMethod] of this.statics) {
      const matches: StaticMatches = new Map();
      for (const m of byMethod.keys()) matches.set(m, this.pick(byMethod, m, NO_PARAMS));
      this.staticMatches.set(path, matches);
    }
  }

  match(method: string, path: string): Match {
    const m = (method === 'HEAD' ? 'GET' : method) as Method;
    const exact = this.staticMatches.get(path);
    if (exact) return exact.get(m) ?? this.pick(this.statics.get(path)!, m, NO_PARAMS);
    const parts = path.split('/');
    for (const p of this.patterns) {
      const params = matchSegments(p.segments, parts);
      if (params) return this.pick(p.byMethod, m, params);
    }
    return { kind: 'not_found' };
  }

  private pick(byMethod: Map<Method, Route>, method: Method, params: Record<string, string>): Match {
    const route = byMethod.get(method);
    if (route) return { kind: 'found', route, params, key: this.keys.get(route)! };
    return { kind: 'method_not_allowed', allow: [...byMethod.keys()] };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i]!;
    const part = parts[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!part) return null;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (seg !== part) {
      return null;
    }
  }
  return params;
}
