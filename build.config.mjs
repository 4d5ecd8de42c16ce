// What `npm run build` makes after tsc has compiled src/ to dist/: the
// binary's bundle, and the empty embedded store new stores start from.
//
// The bundle. Node 20 loads ES modules one file at a time: a `record` loaded about
// 200 of them (107 of drizzle-orm alone), which took more than half of a warm
// `record`'s 0.4 s. Bundled, the modules a command needs are read as a few
// files. Code splitting keeps what is loaded lazily lazy: each
// `import()` of src/ stays a chunk of its own, read only by the commands that
// need it (`--version` reads no database code). Figures: docs/performance.md.
//
// dist/bundle/ sits at the same depth as dist/'s other folders, so the paths
// src/ finds from its own location (the migrations in drizzle/, package.json,
// bin/cis-contact.js, the reading worker beside its caller) are the same from
// the bundle. PGlite, exceljs and postgres.js are left to node_modules: PGlite
// finds its WebAssembly files beside its own modules, PGlite and exceljs are
// loaded only by the commands that use them, and postgres.js is ten small
// modules. Nothing is minified: the bundle is read like
// tsc's output, and its source maps lead back to src/
// (`node --enable-source-maps bin/cis-contact.js …`).
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/bundle';

rmSync(OUT, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { index: 'dist/cli/index.js', 'read-worker': 'dist/csv/read-worker.js' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // postgres.js too: the guard against its stray throw after a lost connection (postgres-stray-write.ts)
  // knows it by its file's name in the stack.
  external: ['@electric-sql/pglite', 'exceljs', 'postgres'],
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  // The CommonJS packages bundled (commander, among others) call require() for Node's own modules;
  // an ES module has no require, so each chunk makes one for them.
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module';\nconst require = bundleRequire(import.meta.url);",
  },
});
// Which chunk holds which module: test/cli/start-up.test.ts reads it to see what a command loads.
writeFileSync(`${OUT}/meta.json`, JSON.stringify(metafile));

// The empty store (src/storage/store-template.ts), made once for each PGlite version installed.
const { makeStoreTemplate } = await import('./dist/storage/store-template.js');
await makeStoreTemplate();
