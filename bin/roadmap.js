#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step. On a Node older than 22.12 it
// runs itself again on a current one (fetched once into a per-user cache).
import module from 'node:module'
import { parseArgs } from 'node:util'
import { ensureNode } from '../scripts/node-runtime.mjs'

await ensureNode()
// V8's compiled code of every module loaded from here on is kept on disk and reused by the
// next start (Vitest, Ink, the sources tsx transformed): the start-up to a first verdict
// pays compilation once per installation, not on every launch. Silently off where the
// folder cannot be written.
module.enableCompileCache?.(new URL('../node_modules/.cache/node-compile', import.meta.url).pathname)

// Commands that run suites load Vitest (and the watch screen, Ink). Loaded here, before
// tsx's loader hooks are in place, they load natively: ~0.5 s sooner to the first verdict.
// The global options that take a value come before the command (`--root /x watch`).
const { positionals } = parseArgs({ args: process.argv.slice(2), strict: false, allowPositionals: true, options: { root: { type: 'string' }, lang: { type: 'string' } } })
const command = positionals[0]
// Watch's first worker boots while the rest of roadmap loads (src/runner/first-worker.mjs).
const helpOrVersion = process.argv.slice(2).some((a) => ['-h', '--help', '-V', '--version'].includes(a))
if ((!command || command === 'watch') && !helpOrVersion) (await import('../src/runner/first-worker.mjs')).forkFirstWorker()
if (!command || ['watch', 'run', 'verify', 'grade'].includes(command)) {
  const preload = [import('vitest/node')]
  if ((!command || command === 'watch') && process.stdout.isTTY && process.stdin.isTTY && !process.env.CI) preload.push(import('ink'), import('react'))
  await Promise.all(preload)
}

// The sources are erasable TypeScript (tsconfig.src.json checks it): a Node that strips types
// loads them itself; tsx only where it cannot (src/tsx-loader.mjs).
const { nodeStripsTypes, useTsx } = await import('../src/tsx-loader.mjs')
if (!nodeStripsTypes()) await useTsx()
await import('../src/cli.ts')
