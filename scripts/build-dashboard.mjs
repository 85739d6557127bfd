// Bundles the web dashboard (dashboard/src, Preact and uPlot) into dist/dashboard with esbuild:
// one ES module, one stylesheet and the page, so the admin port serves it with no network at run
// time (docs/dashboard.md). Part of `npm run build`.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const out = 'dist/dashboard'
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: { main: 'dashboard/src/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  legalComments: 'eof',
  logLevel: 'warning',
})
copyFileSync('dashboard/static/index.html', `${out}/index.html`)
