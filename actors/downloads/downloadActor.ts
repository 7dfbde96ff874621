// One download's statechart with its I/O: the HTTP transfer, the verify-and-rename step and the
// deletion of the partial file on cancel. All three touch the same `<dest>.incomplete`, so each
// waits for the previous one to let go of it: a cancel never deletes a file that a stopping
// transfer is still closing (which would bring it back), and a resume never reads a file still
// being written.
import fsp from 'node:fs/promises';
import { fromCallback } from 'xstate';
import { downloadMachine, type DownloadEvent, type TransferInput, type VerifyInput } from '../../machines/download.ts';
import { runTransfer } from './httpTransfer.ts';
import { partialPath } from './partialFile.ts';
import { verifyDownload } from './verifyDownload.ts';

export interface DownloadIo {
  /** Why a URL may not be fetched, or null when it may. */
  refuse(url: URL): string | null;
  stallTimeoutMs: number;
  progressIntervalMs: number;
}

/** The statechart for one download, with its own file turn-taking. */
export function downloadLogic(io: DownloadIo) {
  // The last operation on the partial file; the next one starts when it has settled.
  let turn: Promise<unknown> = Promise.resolve();
  const after = (op: () => Promise<unknown>) => {
    const next = turn.then(op, op);
    turn = next.catch(() => undefined);
    return next;
  };

  return downloadMachine.provide({
    actors: {
      transfer: fromCallback<DownloadEvent, TransferInput>(({ input, sendBack }) => {
        const abort = new AbortController();
        const send = (e: DownloadEvent) => {
          if (!abort.signal.aborted) sendBack(e);
        };
        void after(() =>
          abort.signal.aborted
            ? Promise.resolve()
            : runTransfer(
                { ...input, refuse: io.refuse, stallTimeoutMs: io.stallTimeoutMs, progressIntervalMs: io.progressIntervalMs, signal: abort.signal },
                {
                  started: (from, total) => send({ type: 'transfer.started', from, total }),
                  progress: (received, total) => send({ type: 'transfer.progress', received, total }),
                  finished: (received, total, sha256) => send({ type: 'transfer.finished', received, total, sha256 }),
                  failed: (reason, retryable) => send({ type: 'transfer.failed', reason, retryable }),
                },
              ),
        );
        return () => abort.abort();
      }),
      verify: fromCallback<DownloadEvent, VerifyInput>(({ input, sendBack }) => {
        let stopped = false;
        void after(() =>
          verifyDownload({ ...input, stopped: () => stopped }).then(
            (r) => !stopped && sendBack({ type: 'verify.done', ...r }),
            (err: Error) => !stopped && sendBack({ type: 'verify.failed', reason: err.message }),
          ),
        );
        return () => void (stopped = true);
      }),
    },
    actions: {
      discardPartial: ({ context }) => void after(() => fsp.rm(partialPath(context.dest), { force: true })),
    },
  });
}
