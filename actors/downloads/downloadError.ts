// Why the downloads manager refused a request, for the routes to turn into HTTP statuses.
export type DownloadErrorKind =
  /** No download with that id. */
  | 'not_found'
  /** The download's state does not allow it (already running, nothing to pause, …). */
  | 'conflict'
  /** The manager is restarting under its supervisor. */
  | 'unavailable';

export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    /** A more precise machine-readable reason than the kind (e.g. `already_downloading`). */
    readonly code: string = kind,
  ) {
    super(message);
  }
}
