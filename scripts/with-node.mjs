// `npm start` and `npm test`: `node scripts/with-node.mjs <script or bin> [args…]`.
// On a Node new enough (fetched into a per-user cache when the machine's is older),
// installs the locked dependencies when node_modules is missing or stale, then runs
// the script in this same process: `vitest` means Vitest's own entry point, so Vitest
// and every worker it forks (process.execPath) run on that Node too.
import { execSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ensureNode } from './node-runtime.mjs'

await ensureNode()

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const installed = join(root, 'node_modules', '.package-lock.json')
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs
if (stale) {
  console.error('Installing dependencies (npm ci)…')
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit', cwd: root })
}

const [target, ...args] = process.argv.slice(2)
if (!target) {
  console.error('usage: node scripts/with-node.mjs <script.js | vitest> [args…]')
  process.exit(2)
}
// Keep the Node on PATH first for anything the script starts by name (`#!/usr/bin/env node`).
const entry = target === 'vitest' ? join(root, 'node_modules', 'vitest', 'vitest.mjs') : resolve(root, target)
process.argv = [process.argv[0], entry, ...args]
await import(pathToFileURL(entry).href)
