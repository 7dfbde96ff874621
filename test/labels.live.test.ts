// Labels and a live recording: a label made before its EEG exists gets its EEG node once the
// encoder stores embeddings in its window (it is skipped until then), a label made afterwards
// gets one at once, and search by EEG over the recorded range finds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './helpers/daemonProcess.ts';
import { subscribe } from './helpers/events.ts';

const ctx = useDaemon();

async function statsWhen(ok: (s: any) => boolean, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = (await ctx.admin.get('/v1/labels/index/stats')).json;
    if (ok(s) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('EEG nodes follow the recording: made when embeddings arrive in a label window', async () => {
  const sub = await subscribe(ctx.daemon.port, ctx.daemon.token);
  try {
    const now = Date.now() / 1000;
    const early = (await ctx.admin.post('/v1/labels', { text: 'started recording', eegStart: now - 5, eegEnd: now + 600 })).json;
    assert.equal((await ctx.admin.get('/v1/labels/index/stats')).json.eeg_nodes, 0, 'no EEG yet');
    assert.deepEqual((await ctx.admin.post('/v1/labels/search-by-eeg', { startUtc: now, endUtc: now + 60 })).json, { results: [], error: 'no label has EEG data' });

    assert.equal((await ctx.admin.post('/v1/lsl/virtual-source/start', { template: 'muse', seed: 7 })).status, 200);
    assert.equal((await ctx.admin.post('/v1/control/start-session', { target: 'virtual' })).status, 200);
    const first = await sub.next((f) => f.type === 'EegEmbedding', 30_000);
    const withNode = await statsWhen((s) => s.eeg_nodes === 1);
    assert.equal(withNode.eeg_nodes, 1, JSON.stringify(withNode));
    assert.equal(withNode.eeg_dim, first.payload.dim);

    const second = await sub.next((f) => f.type === 'EegEmbedding' && f.payload.timestamp > first.payload.timestamp, 20_000);
    const [from, to] = [first.payload.timestamp / 1000, second.payload.timestamp / 1000];
    const later = (await ctx.admin.post('/v1/labels', { text: 'two epochs in', eegStart: from, eegEnd: to })).json;
    assert.equal((await ctx.admin.get('/v1/labels/index/stats')).json.eeg_nodes, 2, 'a label over stored EEG gets its node at once');

    const found = (await ctx.admin.post('/v1/labels/search-by-eeg', { startUtc: from, endUtc: to, k: 5 })).json.results;
    assert.deepEqual(new Set(found.map((r: any) => r.label_id)), new Set([early.id, later.id]));
    assert.ok(found[0].distance < 0.05, JSON.stringify(found));
    assert.equal(typeof found[0].eeg_metrics?.rel_alpha, 'number', 'metrics of the recorded epochs');
  } finally {
    sub.close();
    await ctx.admin.post('/v1/control/cancel-session');
    await ctx.admin.post('/v1/lsl/virtual-source/stop');
  }
});
