// CORS as the reference daemon does it: any origin, preflight answered without auth.
// `Access-Control-Allow-Headers: *` does not cover Authorization, so the preflight echoes
// the headers the browser asked for instead.
export const CORS_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['access-control-allow-origin', '*'],
  ['access-control-expose-headers', '*'],
];

export function preflightHeaders(requestedHeaders: string): Array<[string, string]> {
  return [
    ['access-control-allow-origin', '*'],
    ['access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS'],
    ['access-control-allow-headers', requestedHeaders || 'authorization, content-type'],
    ['access-control-max-age', '600'],
    ['vary', 'access-control-request-headers'],
  ];
}
