// Preloaded with `node --import` (NODE_OPTIONS) by test/e2e/tracing-off.test.ts: registers
// hook.mjs, which appends every module URL the process resolves to $MODULE_LOG.
import { register } from 'node:module'

register('./hook.mjs', import.meta.url)
