// A keep-alive connection the server closed as idle (uWS does after 10 s) just as the client
// reused it fails with ECONNRESET before any answer: the request never reached a handler, so
// sending it again on a fresh connection is safe, and is what node's http documentation advises.
import type http from 'node:http';

export function failedOnStaleSocket(req: http.ClientRequest, err: NodeJS.ErrnoException): boolean {
  return req.reusedSocket && err.code === 'ECONNRESET';
}
