// What search is for, through the real daemon: two sessions of the virtual headset on different
// days (eyes open and closed in 20 s blocks), embedded by the built-in encoder and stored as the
// daemon stores them; a search over the later session's eyes-closed blocks returns eyes-closed
// epochs of the earlier session as neighbours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { generate } from '../actors/devices/virtual/virtualRecording.ts';
import { buildSpectralEncoder, SPECTRAL_MODEL } from '../actors/embeddings/spectralEncoderModel.ts';
import { utcDayName } from '../actors/store/dayDirs.ts';
import { openDayDbForWrite } from '../actors/store/daySchema.ts';
import { tempDirs, useDaemon } from './helpers/daemonProcess.ts';

const EPOCH = SPECTRAL_MODEL.samples;
const BLOCK_S = 20;
const EARLIER = Date.UTC(2026, 5, 1, 7, 0, 0);
const LATER = Date.UTC(2026, 5, 3, 21, 30, 0);

/** Epoch i is eyes-closed when its 5 s fall in a closed block (open first, then closed, repeating). */
const isClosed = (i: number) => Math.floor((i * 5) / BLOCK_S) % 2 === 1;

/** Writes `seconds` of a virtual Muse session from `startMs`, each 5 s epoch embedded by the built-in encoder. */
async function storeSession(dataDir: string, startMs: number, seed: number, seconds: number): Promise<void> {
  const session = await ort.InferenceSession.create(buildSpectralEncoder(), { intraOpNumThreads: 1 });
  const rec = generate({ template: 'muse', seed, eyes_closed_schedule: { open_s: BLOCK_S, closed_s: BLOCK_S } }, seconds);
  const db = openDayDbForWrite(path.join(dataDir, utcDayName(startMs)));
  const insert = db.prepare(`INSERT INTO embeddings (timestamp, device_name, hnsw_id, eeg_embedding, metrics_json) VALUES (?, ?, 0, ?, ?)`);
  for (let e = 0; e < seconds / 5; e++) {
    const data = new Float32Array(rec.eeg.length * EPOCH);
    rec.eeg.forEach((c, i) => data.set(c.subarray(e * EPOCH, (e + 1) * EPOCH), i * EPOCH));
    const out = await session.run({ eeg: new ort.Tensor('float32', data, [rec.eeg.length, EPOCH]) });
    const v = out.embedding!.data as Float32Array;
    insert.run(startMs + e * 5_000, `Virtual Muse (seed ${seed})`, Buffer.from(v.buffer, v.byteOffset, v.byteLength), JSON.stringify({ relaxation: isClosed(e) ? 70 : 30 }));
  }
  db.close();
  await session.release();
}

const dirs = tempDirs('skill-search-eyes-');
fs.mkdirSync(dirs.data, { recursive: true });
await storeSession(dirs.data, EARLIER, 1, 320);
await storeSession(dirs.data, LATER, 2, 80);
const ctx = useDaemon({ dirs });

test('a search over eyes-closed epochs finds eyes-closed epochs of an earlier session', async () => {
  for (let i = 0; i < 400; i++) {
    const st = (await ctx.admin.get('/v1/search/global-index/stats')).json;
    if (st.ready && !st.rebuilding && st.total_embeddings === 64 + 16) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  let fromEarlier = 0;
  let closedFromEarlier = 0;
  // The later session's eyes-closed blocks: 20–40 s and 60–80 s.
  for (const blockStart of [20, 60]) {
    const startUtc = LATER / 1000 + blockStart;
    const r = await ctx.admin.post('/v1/search/eeg', { startUtc, endUtc: startUtc + BLOCK_S - 1, k: 12 });
    assert.equal(r.status, 200);
    assert.equal(r.json.query_count, 4);
    for (const entry of r.json.results) {
      for (const n of entry.neighbors) {
        if (n.date !== utcDayName(EARLIER)) continue;
        fromEarlier++;
        const e = (n.timestamp - EARLIER) / 5_000;
        if (isClosed(e)) closedFromEarlier++;
        assert.equal(n.metrics.relaxation, isClosed(e) ? 70 : 30);
      }
    }
  }
  assert.ok(fromEarlier >= 8 * 4, `neighbours from the earlier session: ${fromEarlier}`);
  assert.ok(closedFromEarlier / fromEarlier >= 0.9, `${closedFromEarlier} of ${fromEarlier} earlier-session neighbours are eyes-closed`);
});
