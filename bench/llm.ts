// LLM generation speed through the daemon vs node-llama-cpp called directly, in the same run, on
// the same tiny model (scripts/build-tiny-gguf.ts) with the same settings: one thread, a 2048-token
// context, the reference's sampling defaults, 512 tokens per answer. The daemon path is an HTTP
// request to `POST /v1/chat/completions`, the queue, IPC to the llama.cpp child process and back,
// whole or streamed as server-sent events (one event per text chunk); the direct path is
// `LlamaChat.generateResponse` in this process. The ratio is what the daemon costs (goal: ≤ 5 %,
// ratio ≥ 0.95). The tiny model generates a token in well under a millisecond, so this prices the
// per-token path at its most exposed; with a real model each token takes 10–100× longer and the
// same overhead shrinks in proportion.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { getLlama, LlamaChat, LlamaLogLevel } from 'node-llama-cpp';
import { DEFAULT_GEN_PARAMS } from '../actors/llm/genParams.ts';
import { ensureTinyGguf, TINY_GGUF_NAME } from '../scripts/build-tiny-gguf.ts';
import { compared, formatValue, median, runWhenMain, type BenchmarkOutcome, type Figure } from './figure.ts';
import { watchForeignLoad } from './foreignLoad.ts';
import { builtDaemon } from './builtDaemon.ts';
import { startServerProcess } from './serverProcess.ts';

const ROUNDS = 5;
const TOKENS = 512;
const TOKEN = 'bench-llm-token';
const PROMPT = 'Write a long story about a brain wave that wanted to be heard.';

function log(line: string): void {
  process.stderr.write(`llm: ${line}\n`);
}

async function call(url: string, method: string, body?: unknown): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One streamed answer: completion tokens (from the final chunk's usage) and time to the first text. */
async function streamed(url: string, body: unknown): Promise<{ tokens: number; firstMs: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
  let buffer = '';
  let firstMs = -1;
  let tokens = 0;
  for await (const piece of res.body.pipeThrough(new TextDecoderStream())) {
    buffer += piece;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const chunk = JSON.parse(event.slice(6));
      if (firstMs < 0 && chunk.choices[0]?.delta?.content) firstMs = performance.now() - t0;
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
  }
  return { tokens, firstMs };
}

export async function run(): Promise<BenchmarkOutcome> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-bench-llm-'));
  const dataDir = path.join(tmp, 'data');
  const modelPath = path.join(dataDir, 'models', 'llm', TINY_GGUF_NAME);
  ensureTinyGguf(modelPath);
  const daemon = await startServerProcess('daemon', (await builtDaemon()).entry, {
    ...process.env,
    SKILL_DAEMON_ADDR: '127.0.0.1:0',
    SKILL_DATA_DIR: dataDir,
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    SKILL_DAEMON_TOKEN: TOKEN,
    SKILL_NETWORK: 'loopback',
    SKILL_LOG_STDERR: '0',
    // Throughput is the figure: the chat rate limit would cap the requests, not the daemon.
    SKILL_RATE_LIMITS: 'off',
  });
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  // As the daemon's child creates it (flash attention is the LlmConfig default).
  const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1, flashAttention: true });
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  try {
    const v1 = `${daemon.url}/v1`;
    await call(`${v1}/llm/catalog/refresh`, 'POST');
    await call(`${v1}/settings/llm-config`, 'POST', { n_threads: 1, ctx_size: 2048 });
    await call(`${v1}/llm/server/switch-model`, 'POST', { filename: TINY_GGUF_NAME });
    await call(`${v1}/llm/server/start`, 'POST');
    const loadStart = performance.now();
    let status: any;
    while ((status = await call(`${v1}/llm/server/status`, 'GET')).status !== 'running') {
      if (status.status === 'failed') throw new Error(`the LLM server failed: ${status.error}`);
      if (performance.now() - loadStart > 60_000) throw new Error('the LLM server did not start within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    log(`daemon model loaded in ${status.load_ms} ms (pid ${status.pid}, ${status.threads} thread)`);

    const p = DEFAULT_GEN_PARAMS;
    const body = { model: TINY_GGUF_NAME, messages: [{ role: 'user', content: PROMPT }], max_tokens: TOKENS };
    const direct = async () => {
      let first = -1;
      const before = chat.sequence.tokenMeter.usedOutputTokens;
      const t0 = performance.now();
      await chat.generateResponse([{ type: 'user', text: PROMPT }, { type: 'model', response: [] }], {
        maxTokens: TOKENS,
        temperature: p.temperature,
        topK: p.top_k,
        topP: p.top_p,
        seed: p.seed,
        repeatPenalty: { penalty: p.repeat_penalty },
        onTextChunk: () => {
          if (first < 0) first = performance.now() - t0;
        },
      });
      return { ms: performance.now() - t0, tokens: chat.sequence.tokenMeter.usedOutputTokens - before, firstMs: first };
    };
    const whole = async () => {
      const t0 = performance.now();
      const r = await call(`${v1}/chat/completions`, 'POST', body);
      return { ms: performance.now() - t0, tokens: r.usage.completion_tokens as number };
    };
    const stream = async () => {
      const t0 = performance.now();
      const r = await streamed(`${v1}/chat/completions`, { ...body, stream: true });
      return { ms: performance.now() - t0, ...r };
    };
    // Warm-up: both paths have evaluated the prompt once (and cache it from then on, alike).
    await direct();
    await whole();

    const t = { direct: [] as number[], whole: [] as number[], stream: [] as number[], firstDirect: [] as number[], firstStream: [] as number[] };
    const foreign = watchForeignLoad([daemon.child.pid!, status.pid]);
    for (let round = 0; round < ROUNDS; round++) {
      const d = await direct();
      const w = await whole();
      const s = await stream();
      for (const [name, r] of [['direct', d], ['whole', w], ['stream', s]] as const) {
        if (r.tokens !== TOKENS) throw new Error(`${name} generated ${r.tokens} tokens, expected ${TOKENS}`);
      }
      t.direct.push(TOKENS / (d.ms / 1000));
      t.whole.push(TOKENS / (w.ms / 1000));
      t.stream.push(TOKENS / (s.ms / 1000));
      t.firstDirect.push(d.firstMs);
      t.firstStream.push(s.firstMs);
      log(`round ${round + 1}: direct ${formatValue(t.direct.at(-1)!)}, whole ${formatValue(t.whole.at(-1)!)}, streamed ${formatValue(t.stream.at(-1)!)} tokens/s`);
    }
    const foreignCores = foreign.stop();
    const baseline = { name: 'node-llama-cpp in-process', value: median(t.direct) };
    const figures: Figure[] = [
      compared('daemon, whole answer (HTTP → queue → llama.cpp process)', median(t.whole), 'tokens/s', baseline, 0.95),
      compared('daemon, streamed (SSE chunk per text piece)', median(t.stream), 'tokens/s', baseline, 0.95),
      { name: 'time to first text, streamed through the daemon', value: median(t.firstStream), unit: 'ms', baseline: { name: 'in-process first text chunk', value: median(t.firstDirect) } },
      { name: 'model load in the daemon (fork, node-llama-cpp, GGUF)', value: status.load_ms, unit: 'ms' },
    ];
    const notes = [
      `Tiny llama GGUF (2 layers × 64, F32, ${fs.statSync(modelPath).size} bytes), ${TOKENS} completion tokens per answer, greedy (the reference defaults: temperature 0, top_k 40, top_p 0.9, repeat penalty 1.1), 1 llama.cpp thread and a 2048-token context on both paths; the prompt prefix is cached on both after a warm-up answer. Median of ${ROUNDS} rounds; each round runs direct, whole, streamed in turn.`,
      `Per token: direct ${formatValue(1000 / median(t.direct))} ms, through the daemon ${formatValue(1000 / median(t.whole))} ms whole and ${formatValue(1000 / median(t.stream))} ms streamed.`,
      ...(foreignCores === null ? [] : [`Other processes used ${formatValue(foreignCores * 100)}% of a core on average (${os.availableParallelism()} cores).`]),
    ];
    return { figures, notes };
  } finally {
    await context.dispose();
    await model.dispose();
    await daemon.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// `node --import tsx bench/llm.ts` runs it alone.
await runWhenMain(import.meta.url, run);
