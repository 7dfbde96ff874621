// A liblsl program driven through koffi, for the optional interop test: `outlet <name>` streams
// 4 float32 channels at 100 Hz (value of channel c of sample n: n + c/4, labelled L0..L3) until
// killed; `inlet <name> <seconds>` resolves the stream by name, reads it, asks for the full info
// and the time correction, and prints one JSON line. The library directory (with
// node_modules/koffi and liblsl64.so) is in LSL_INTEROP_DIR. liblsl calls block, which is why
// each role runs in its own process.
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.env.LSL_INTEROP_DIR ?? '';
const require = createRequire(path.join(dir, 'package.json'));
// koffi is loaded from the interop directory, never from the project's dependencies.
const koffi = require('koffi') as {
  load(file: string): { func(signature: string): (...args: unknown[]) => unknown };
  decode(value: unknown, type: string): unknown;
};
const lib = koffi.load(path.join(dir, 'liblsl64.so'));
const CF_FLOAT32 = 1;

const fn = {
  localClock: lib.func('double lsl_local_clock()'),
  createInfo: lib.func('void *lsl_create_streaminfo(const char *name, const char *type, int channel_count, double nominal_srate, int channel_format, const char *source_id)'),
  getDesc: lib.func('void *lsl_get_desc(void *info)'),
  appendChild: lib.func('void *lsl_append_child(void *e, const char *name)'),
  appendChildValue: lib.func('void *lsl_append_child_value(void *e, const char *name, const char *value)'),
  createOutlet: lib.func('void *lsl_create_outlet(void *info, int chunk_size, int max_buffered)'),
  pushSample: lib.func('int lsl_push_sample_ft(void *outlet, float *data, double timestamp)'),
  resolveByProp: lib.func('int lsl_resolve_byprop(_Out_ uint8_t *buffer, unsigned int buffer_elements, const char *prop, const char *value, int minimum, double timeout)'),
  createInlet: lib.func('void *lsl_create_inlet(void *info, int max_buflen, int max_chunklen, int recover)'),
  getFullinfo: lib.func('void *lsl_get_fullinfo(void *inlet, double timeout, _Out_ int *ec)'),
  getXml: lib.func('const char *lsl_get_xml(void *info)'),
  pullSample: lib.func('double lsl_pull_sample_f(void *inlet, _Out_ float *buffer, int buffer_elements, double timeout, _Out_ int *ec)'),
  timeCorrection: lib.func('double lsl_time_correction(void *inlet, double timeout, _Out_ int *ec)'),
};

const [role, name = 'LiblslOut', secondsText = '1'] = process.argv.slice(2);

if (role === 'outlet') {
  const info = fn.createInfo(name, 'EEG', 4, 100, CF_FLOAT32, `${name}-src`);
  const channels = fn.appendChild(fn.getDesc(info), 'channels');
  for (let c = 0; c < 4; c++) {
    const channel = fn.appendChild(channels, 'channel');
    fn.appendChildValue(channel, 'label', `L${c}`);
    fn.appendChildValue(channel, 'unit', 'microvolts');
  }
  const outlet = fn.createOutlet(info, 0, 360);
  const start = Number(process.argv[5] ?? 0);
  let n = start;
  process.stdout.write('ready\n');
  setInterval(() => {
    const sample = new Float32Array([n, n + 0.25, n + 0.5, n + 0.75]);
    fn.pushSample(outlet, sample, fn.localClock());
    n++;
  }, 10);
} else if (role === 'inlet') {
  const found = Buffer.alloc(8 * 4);
  const count = fn.resolveByProp(found, 4, 'name', name, 1, 5.0) as number;
  if (count < 1) {
    console.log(JSON.stringify({ found: 0 }));
    process.exit(0);
  }
  const info = koffi.decode(found, 'void *');
  const inlet = fn.createInlet(info, 360, 0, 1);
  const ec = [0];
  const full = fn.getFullinfo(inlet, 5.0, ec);
  const xml = ec[0] === 0 ? (fn.getXml(full) as string) : null;
  const samples: Array<{ t: number; v: number[] }> = [];
  const until = Date.now() + Number(secondsText) * 1000;
  const buffer = new Float32Array(4);
  while (Date.now() < until) {
    const t = fn.pullSample(inlet, buffer, 4, 0.2, ec) as number;
    if (ec[0] !== 0) break;
    if (t > 0) samples.push({ t, v: [...buffer] });
  }
  const tc = fn.timeCorrection(inlet, 2.0, ec) as number;
  console.log(JSON.stringify({ found: count, xml, samples, timeCorrection: ec[0] === 0 ? tc : null, clock: fn.localClock() }));
  process.exit(0);
}
