// UmapRunner on its own: a projection that outlives its timeout is stopped with UmapTimeout and
// its worker is gone, and the next projection in the queue still runs to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UmapRunner, UmapTimeout } from '../actors/analysis/umapRunner.ts';
import type { UmapProgress } from '../actors/analysis/umapProjection.ts';
import { clusterCentres, plantEpochs } from './helpers/plantedEmbeddings.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-umap-runner-'));
const T = Date.UTC(2026, 5, 1, 9);
const centres = clusterCentres(2, 16, 9);
plantEpochs({ dataDir, startMs: T, count: 400, cluster: 0, centres, seed: 1 });
plantEpochs({ dataDir, startMs: T + 3_600_000, count: 400, cluster: 1, centres, seed: 2 });
const ranges = (count: number) => ({ aStartUtc: T / 1000, aEndUtc: T / 1000 + count * 5 - 1, bStartUtc: T / 1000 + 3600, bEndUtc: T / 1000 + 3600 + count * 5 - 1 });

test('a projection past its timeout is stopped; the next one in the queue completes', async () => {
  const runner = new UmapRunner();
  try {
    const slow = { dataDir, ranges: ranges(400), params: { n_neighbors: 15, n_epochs: 2000, repulsion_strength: 3, neg_sample_rate: 15, cooldown_ms: 5 } };
    const quick = { dataDir, ranges: ranges(10), params: { n_neighbors: 15, n_epochs: 50, repulsion_strength: 3, neg_sample_rate: 15, cooldown_ms: 0 } };
    const progress: UmapProgress[] = [];
    const first = runner.run(slow, 1_500, (p) => progress.push(p));
    const second = runner.run(quick, 60_000, () => {});
    await assert.rejects(first, (err) => err instanceof UmapTimeout, 'the slow projection times out');
    const result = JSON.parse(new TextDecoder().decode((await second).json));
    assert.equal(result.points.length, 20, `the queued projection ran: ${JSON.stringify(result).slice(0, 200)}`);
    assert.ok(progress.some((p) => p.status === 'loading'), `the slow run had started before it was stopped: ${progress.map((p) => p.status)}`);
    assert.equal(runner.running, 0, 'no worker left running');
  } finally {
    await runner.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
