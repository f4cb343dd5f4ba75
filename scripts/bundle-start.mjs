// Part of `npm run build`, after tsc: turns dist/commands/start.js and the ~110 modules it imports from dist/ into
// one file, in place. Node 20 pays for each ES module it resolves, reads, compiles and links; one file instead of
// ~110 makes `chat start` ready about 10–20 ms of CPU sooner (docs/performance.md, "Start-up and memory").
// Packages stay imports (packages: 'external'): @oclif/core is shared with oclif itself, and the lazy ones
// (enquirer, multicast-dns, hyperswarm…) still load only when used. Our own dynamic imports (the prompt, discovery,
// the swarm link) become chunks that load only when called.
//
// Every other file in dist/ stays as tsc wrote it: the library (dist/index.js), the other commands and the
// history writer, which runs in its own process.
import {build} from 'esbuild'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist', import.meta.url))

await build({
  entryPoints: {'commands/start': `${dist}/commands/start.js`},
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  // Each dynamic import becomes a chunk of its own, with the packages it imports: bundled inline, the prompt's
  // static import of enquirer would be hoisted into start.js and loaded by every start. The chunks go to
  // dist/chunks/, not beside start.js, where oclif would take them for commands.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
})
