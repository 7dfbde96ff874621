// `npm run build`: the optimised dashboard bundle in dist/dashboard/. The ES modules of
// dashboard/ become one minified script and one stylesheet, both named after a hash of their
// content so the daemon can let browsers cache them for a year; index.html points at them.
// The daemon serves dist/dashboard when it exists and dashboard/ as it is otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { DASHBOARD_BUILD_DIR, DASHBOARD_SOURCE_DIR } from '../transport/routes/dashboard.ts';

const started = performance.now();
fs.rmSync(DASHBOARD_BUILD_DIR, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(DASHBOARD_SOURCE_DIR, 'main.js'), path.join(DASHBOARD_SOURCE_DIR, 'dashboard.css')],
  outdir: DASHBOARD_BUILD_DIR,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const script = outputs.find((f) => f.endsWith('.js'));
const style = outputs.find((f) => f.endsWith('.css'));
if (!script || !style) throw new Error(`the build produced ${outputs.join(', ')}`);
const html = fs.readFileSync(path.join(DASHBOARD_SOURCE_DIR, 'index.html'), 'utf8')
  .replace('/dashboard/main.js', `/dashboard/${script}`)
  .replace('/dashboard/dashboard.css', `/dashboard/${style}`);
fs.writeFileSync(path.join(DASHBOARD_BUILD_DIR, 'index.html'), html);
for (const f of [...outputs, 'index.html']) {
  console.log(`${path.join('dist', 'dashboard', f)}  ${(fs.statSync(path.join(DASHBOARD_BUILD_DIR, f)).size / 1024).toFixed(1)} KiB`);
}
console.log(`built in ${(performance.now() - started).toFixed(0)} ms`);
