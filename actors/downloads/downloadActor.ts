// One download's statechart with its I/O: the HTTP transfer, the verify-and-rename step and the
// deletion of the partial file on cancel. All three touch the same `<dest>.incomplete`, so each
// takes its turn on it (partialFile.ts `inTurn`) after whatever operation on that file came
// before, in this actor or in the actor of a runner being replaced: a cancel never deletes a
// file that a stopping transfer is still closing (which would bring it back), and a resume
// never reads or appends to a file still being written.
import fsp from 'node:fs/promises';
import { fromCallback } from 'xstate';
import { downloadMachine, type DownloadEvent, type TransferInput, type VerifyInput } from '../../machines/download.ts';
import { runTransfer } from './httpTransfer.ts';
import { inTurn, partialPath } from './partialFile.ts';
import { verifyDownload } from './verifyDownload.ts';

export interface DownloadIo {
  /** Why a URL may not be fetched, or null when it may. */
  refuse(url: URL): string | null;
  /** The Authorization header for a request to this URL (the hub's token), or null. */
  authorization(url: URL): string | null;
  stallTimeoutMs: number;
  progressIntervalMs: number;
}

/** The statechart for one download, with its file operations taking turns. */
export function downloadLogic(io: DownloadIo) {
  return downloadMachine.provide({
    actors: {
      transfer: fromCallback<DownloadEvent, TransferInput>(({ input, sendBack }) => {
        const abort = new AbortController();
        const send = (e: DownloadEvent) => {
          if (!abort.signal.aborted) sendBack(e);
        };
        void inTurn(input.dest, () =>
          abort.signal.aborted
            ? Promise.resolve()
            : runTransfer(
                { ...input, refuse: io.refuse, authorization: io.authorization, stallTimeoutMs: io.stallTimeoutMs, progressIntervalMs: io.progressIntervalMs, signal: abort.signal },
                {
                  started: (from, total, validator, announcedSha256) => send({ type: 'transfer.started', from, total, validator, announcedSha256 }),
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
        void inTurn(input.dest, () =>
          verifyDownload({ ...input, stopped: () => stopped }).then(
            (r) => !stopped && sendBack({ type: 'verify.done', ...r }),
            (err: Error) => !stopped && sendBack({ type: 'verify.failed', reason: err.message }),
          ),
        );
        return () => void (stopped = true);
      }),
    },
    actions: {
      discardPartial: ({ context }) => void inTurn(context.dest, () => fsp.rm(partialPath(context.dest), { force: true })),
    },
  });
}
