// The setup file Vitest runs in the worker before each suite. Every module a setup file
// imports comes through Vitest's module runner, one round trip to the grader each (~10 ms
// for the guards' six): the worker's preload has loaded the guards natively while the
// worker waited and left them under a symbol, taken here before any suite code runs.
// A worker without that preload loads them the slow way.
const READY = Symbol.for('roadmap:guard-suite')
const slot = globalThis as Record<symbol, (() => void) | undefined>
const ready = slot[READY]
delete slot[READY]
if (ready) ready()
else (await import('./suite-guards.ts')).guardSuite()
