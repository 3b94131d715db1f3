import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GatedService } from '../services/gate/service-gate.ts'

/** The user graded code ran as before per-run users (kept for callers that still name it). */
export const NOBODY = 65534

/**
 * An OS principal a graded run executes as: its own uid and gid, and the paths that
 * must be invisible to it (mounted over with an empty, unreadable tmpfs in its own
 * mount namespace: solutions/, the submission and class folders, the report folder).
 */
export interface Principal {
  name: string
  uid: number
  gid: number
  hide: string[]
  /**
   * The grader's own user (--unsafe-same-user): only a user and PID namespace, so that
   * whatever the run starts still dies with it. No uid change, nothing hidden.
   */
  sameUser?: boolean
  /**
   * The grade's service gate: the run gets a network namespace of its own where only these
   * service ports answer on 127.0.0.1, each passed to the gate (src/services/gate/).
   */
  gate?: { dir: string; services: GatedService[] }
  /**
   * A network namespace of its own with only loopback (a Go test's httptest servers work,
   * nothing of the host answers): for runs that use no service.
   */
  offline?: boolean
  /** Node's compile cache the grader made for its workers, which it can read and not write (graded-compile-cache.ts). */
  compileCache?: string
}

let userns: boolean | undefined
/** Can this (unprivileged) process make a user and PID namespace? (Some systems forbid it.) */
export function canContainSameUser(): boolean {
  if (userns === undefined) {
    try {
      execFileSync('unshare', ['--user', '--pid', '--fork', '--kill-child', 'true'], { stdio: 'ignore', timeout: 5000 })
      userns = true
    } catch {
      userns = false
    }
  }
  return userns
}

/** The pool of system users graded runs take turns with (created on first use, as root). */
export const GRADING_USERS = Array.from({ length: 8 }, (_, i) => `roadmap-g${i}`)
const LOCKS = '/run/roadmap-grade'

/**
 * Can another user use these paths: every folder on the way searchable, the file itself
 * readable (and executable for a program)? Running graded code as its own user is only
 * possible when Node, the checkout and the sandbox all are.
 */
export function usableByOthers(paths: string[]): boolean {
  return paths.every((p) => {
    try {
      const full = resolve(p)
      const st = statSync(full)
      if (st.isDirectory() ? (st.mode & 0o005) !== 0o005 : (st.mode & 0o004) === 0) return false
      for (let dir = dirname(full); ; dir = dirname(dir)) {
        if ((statSync(dir).mode & 0o001) === 0) return false
        if (dirname(dir) === dir) return true
      }
    } catch {
      return false
    }
  })
}

/** Can this process give graded code its own principal (root, with unshare and setpriv)? */
export function canIsolate(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && ['/usr/bin/unshare', '/usr/bin/setpriv'].every(exists)
}

const exists = (p: string) => {
  try {
    statSync(p)
    return true
  } catch {
    return false
  }
}

function ids(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    return Number.isInteger(uid) && uid > 0 ? { uid, gid } : undefined
  } catch {
    return undefined
  }
}

function ensureUser(name: string): { uid: number; gid: number } {
  const found = ids(name)
  if (found) return found
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' })
  } catch {
    // Another grader created it at the same moment: look again.
  }
  const made = ids(name)
  if (!made) throw new Error(`could not create the grading user ${name} (useradd failed)`)
  return made
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes a grading user no other grade on this machine holds (a lock file per user, freed
 * when its holder's process is gone), so two graders never share a uid. `hide` lists
 * the paths the run must not see.
 */
export function takePrincipal(hide: string[]): Principal & { release(): void } {
  mkdirSync(LOCKS, { recursive: true, mode: 0o700 })
  const start = Math.floor(Math.random() * GRADING_USERS.length)
  for (let attempt = 0; attempt < 200; attempt++) {
    const name = GRADING_USERS[(start + attempt) % GRADING_USERS.length]!
    const lock = `${LOCKS}/${name}.lock`
    let fd: number
    try {
      fd = openSync(lock, 'wx', 0o600)
    } catch {
      const holder = Number(readSafe(lock))
      if (!holder || !alive(holder)) {
        try {
          unlinkSync(lock)
        } catch {
          // taken over by someone else first
        }
      }
      if (attempt % GRADING_USERS.length === GRADING_USERS.length - 1) sleep(50)
      continue
    }
    writeSync(fd, String(process.pid))
    closeSync(fd)
    const { uid, gid } = ensureUser(name)
    return {
      name,
      uid,
      gid,
      hide,
      release: () => {
        try {
          if (readSafe(lock) === String(process.pid)) unlinkSync(lock)
        } catch {
          // already gone
        }
      },
    }
  }
  throw new Error(`all ${GRADING_USERS.length} grading users are busy: too many grades at once on this machine`)
}

const readSafe = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return ''
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/** Quotes a string for /bin/sh. */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * The command prefix that starts a worker as `principal`: its own PID namespace (every
 * process it starts dies with it, `setsid` or not), its own mount namespace with the
 * hidden paths covered and a /proc that shows only its own processes, then the uid
 * and gid dropped for good (no supplementary groups, no new privileges).
 * Used as fork's execPath + execArgv: `unshare … sh -c '…; exec setpriv … "$@"' sh node …`.
 */
export function isolationCommand(principal: Principal, program = process.execPath): { execPath: string; args: string[] } {
  if (principal.sameUser) return { execPath: '/usr/bin/unshare', args: ['--user', '--pid', '--fork', '--kill-child', '--', program] }
  const mounts = outermost(principal.hide.filter(exists)).map((p) => `mount -t tmpfs -o ro,mode=000,size=4k roadmap-hidden ${sq(p)} || exit 97`)
  const net = principal.gate ? network(principal.gate) : principal.offline ? loopbackOnly() : []
  const script = [...net, ...mounts, `exec /usr/bin/setpriv --reuid=${principal.uid} --regid=${principal.gid} --clear-groups --no-new-privs --pdeathsig KILL -- "$@"`].join('\n')
  return {
    execPath: '/usr/bin/unshare',
    args: ['--pid', '--fork', '--kill-child', '--mount', '--mount-proc', '--propagation', 'private', ...(net.length ? ['--net'] : []), '--', '/bin/sh', '-c', script, 'sh', program],
  }
}

/**
 * The hidden paths not inside another hidden path: once the outer one is covered the inner
 * one no longer exists to mount over (`grade . --out reports`: the report folder is inside
 * the hidden submission).
 */
function outermost(paths: string[]): string[] {
  const inside = (p: string, q: string) => p !== q && relative(q, p) !== '' && !relative(q, p).startsWith('..') && !isAbsolute(relative(q, p))
  return paths.filter((p) => !paths.some((q) => inside(resolve(p), resolve(q))))
}

/** Loopback up, the host's unix sockets (under /run) out of sight: nothing of the host answers. */
const loopbackOnly = () => ['ip link set lo up || exit 95', 'mount -t tmpfs -o mode=755,size=64k roadmap-run /run || exit 97']

const FORWARDER = fileURLToPath(new URL('./netns-forwarder.mjs', import.meta.url))

/**
 * The network of a gated run, set up as root inside its new namespace: loopback up, the
 * forwarder of the service ports started (without the worker's IPC channel) and listening
 * before the worker starts. Nothing else answers there: not the host's other services.
 */
function network(gate: NonNullable<Principal['gate']>): string[] {
  const ready = `${gate.dir}/ready-${randomBytes(6).toString('hex')}`
  const routes = gate.services.map((s) => sq(`${s.port}=${s.socket}`)).join(' ')
  return [
    'ip link set lo up || exit 95',
    // The services' unix sockets (PostgreSQL's trusts every local user on many machines, MariaDB's, Docker's) live under /run.
    'mount -t tmpfs -o mode=755,size=64k roadmap-run /run || exit 97',
    `( [ -n "$NODE_CHANNEL_FD" ] && eval "exec $NODE_CHANNEL_FD>&-"; exec env -u NODE_CHANNEL_FD -u NODE_CHANNEL_SERIALIZATION_MODE ${sq(process.execPath)} ${sq(FORWARDER)} ${sq(ready)} ${routes} ) &`,
    `i=0; while [ ! -e ${sq(ready)} ]; do i=$((i+1)); [ $i -gt 3000 ] && exit 94; sleep 0.01; done; rm -f ${sq(ready)}`,
  ]
}
