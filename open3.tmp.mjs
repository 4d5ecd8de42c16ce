import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'node:fs';
const dir = process.argv[2]; const mode = process.argv[3];
const bundle = new Blob([readFileSync(new URL('pglite.data', import.meta.resolve('@electric-sql/pglite').replace(/index\.js$/, '')))]);
const opts = { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'] };
if (mode === 'bundle') opts.fsBundle = bundle;
let tot = 0, totc = 0;
for (let i = 0; i < 10; i++) {
  const t0 = performance.now(); const c0 = process.cpuUsage();
  const pg = await PGlite.create(dir + '/pgdata', opts);
  await pg.query('select 1');
  await pg.close();
  const c = process.cpuUsage(c0); const w = performance.now() - t0;
  if (i >= 2) { tot += w; totc += (c.user + c.system) / 1000; }
}
console.log(mode, 'wall/open', (tot / 8).toFixed(0), 'cpu/open', (totc / 8).toFixed(0));
