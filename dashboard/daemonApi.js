// Talks to the daemon's HTTP API with the dashboard's token. The token arrives once as
// `?token=` in the page address; it is moved to session storage (gone when the tab closes) and
// removed from the address bar, then sent as an Authorization header on every request.
const TOKEN_KEY = 'skill-daemon.token';

/** Takes `?token=` from the address (once) into session storage; returns the token or null. */
export function adoptToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? null;
  }
}

async function request(method, path, body) {
  const headers = { authorization: `Bearer ${token() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);

/** A short reason for a failed call, with what to do about a scope refusal. */
export function explain(err) {
  if (err instanceof ApiError && err.status === 403) return 'this token may not do that (it needs a data or admin scope)';
  if (err instanceof ApiError && err.status === 401) return 'the token is not valid (expired, revoked or mistyped)';
  return err?.message ?? String(err);
}
