// `npm start` / `npm test` on a fresh clone: install the locked dependencies first
// when node_modules is missing or older than package-lock.json. Plain JS: it runs
// before anything is installed.
import { execSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`roadmap needs Node.js 22.12 or newer (24 preferred); this is ${process.version}.`)
  process.exit(1)
}
const installed = 'node_modules/.package-lock.json'
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs
if (stale) {
  console.error('Installing dependencies (npm ci)…')
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' })
}
