// How the downloads manager's refusals read over HTTP, for every route group that drives it.
import { DownloadError } from '../../actors/downloads/downloadError.ts';
import { HttpError, unavailable } from '../errors.ts';

/** Manager refusals as HTTP: unknown 404, wrong state 409 (with the precise code), restarting 503. */
export function refusedAs<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof DownloadError)) throw err;
    if (err.kind === 'unavailable') throw unavailable(err.message);
    throw new HttpError(err.kind === 'not_found' ? 404 : 409, err.code, err.message);
  }
}
