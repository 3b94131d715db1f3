// Run by graded-compile-cache.ts, with NODE_COMPILE_CACHE and the worker's preload: loads
// Vitest's fork worker (argv[2]) as a graded worker does, then exits, leaving Node's compile
// cache of every module that loaded. No learner code runs in this process.
import module from 'node:module'

process.send ??= () => true // the fork worker wants a parent to report to; it reports nothing here
await import(process.argv[2])
module.flushCompileCache?.()
process.exit(0)
