import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { newEnough, nodePackage } from '../scripts/node-runtime.mjs'
import { pristineCheckout, ROOT, tmp } from './helpers.ts'

// The README's `npm start` on the Node a distribution ships (v20 here, /usr/bin/node): it
// must reach the watch screen on a current Node, from the cache, contacting no registry.
const OLD = ['/usr/bin/node', '/bin/node'].find((p) => existsSync(p) && !newEnough(execFileSync(p, ['--version'], { encoding: 'utf8' }).trim()))
const NPM = ['/usr/bin/npm', '/bin/npm'].find((p) => existsSync(p))
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const session = `roadmap-old-node-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })

describe.runIf(hasTmux && OLD && NPM && nodePackage())('npm start on an old Node', () => {
  afterEach(() => {
    try {
      tmux('kill-session', '-t', session)
    } catch {
      // already gone
    }
  })

  it('runs itself on the cached current Node and reaches the watch screen', { timeout: 180_000 }, async () => {
    const dir = pristineCheckout()
    for (const l of ['scripts', 'bin', 'package-lock.json']) symlinkSync(join(ROOT, l), join(dir, l))
    // A cache that already holds a current Node (this one): the second start of the README.
    const cache = tmp('roadmap-node-cache-')
    const node = join(cache, `${nodePackage()}-${process.versions.node}`)
    mkdirSync(join(node, 'bin'), { recursive: true })
    symlinkSync(process.execPath, join(node, 'bin', 'node'))
    const log = join(tmp(), 'stderr.log')
    // The system's directories only: its Node 20 and npm come first. No registry answers.
    const cmd = `cd ${dir} && env -u CI -u ROADMAP_NODE_REEXEC PATH=/usr/bin:/bin ROADMAP_NODE_CACHE=${cache} npm_config_registry=http://127.0.0.1:9/ TERM=xterm-256color npm start 2>${log}`
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '40', cmd)
    const until = Date.now() + 150_000
    let screen = ''
    while (!/roadmap · (.+ · )?\d+\/\d+ katas passed/.test(screen)) {
      if (Date.now() > until) throw new Error(`the watch screen never showed:\n${screen}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`)
      await new Promise((r) => setTimeout(r, 250))
      screen = tmux('capture-pane', '-p', '-t', session)
    }
    tmux('send-keys', '-t', session, 'q')
    expect(readFileSync(log, 'utf8')).toContain(`is older than 22.12: running on Node ${process.versions.node} from ${node}`)
  })
})
