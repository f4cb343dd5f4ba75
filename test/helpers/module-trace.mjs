// `node --import ./test/helpers/module-trace.mjs …` (or NODE_OPTIONS, which forked children inherit): every module
// this process loads is listed in $CHAT_TEST_MODULE_TRACE/<pid>.txt, one per line: `esm <url>` as the ESM loader
// loads it, and at exit `cjs <path>` for each module in require's cache. Plain JavaScript, so no loader is needed.
import {appendFileSync} from 'node:fs'
// eslint-disable-next-line n/no-unsupported-features/node-builtins -- test helper: every Node 20 this project runs on (20.6+) has module.register
import {createRequire, register} from 'node:module'
import {join} from 'node:path'

const dir = process.env.CHAT_TEST_MODULE_TRACE
if (dir) {
  const file = join(dir, `${process.pid}.txt`)
  register('./module-trace-hooks.mjs', import.meta.url, {data: {file}})
  const {cache} = createRequire(import.meta.url)
  process.once('exit', () => {
    appendFileSync(
      file,
      Object.keys(cache)
        .map((path) => `cjs ${path}\n`)
        .join(''),
    )
  })
}
