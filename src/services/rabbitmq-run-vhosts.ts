import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

const run = promisify(execFile)
const PREFIX = 'roadmap_run_'
const STALE_SECONDS = 3600
const MANAGEMENT_PORT = 15672

/** A vhost and a user of one grade, the user permitted on that vhost only. */
export interface RabbitRunVhost {
  name: string
  /** The run user's URL on its vhost: the only RabbitMQ URL graded code gets. */
  url: string
}

export class RabbitManagementError extends Error {
  override name = 'RabbitManagementError'
}

/**
 * How the grader manages users and vhosts: the HTTP management API (the
 * `rabbitmq:*-management` images, CI) or `rabbitmqctl` on this machine.
 */
export interface Management {
  addVhost(name: string): Promise<void>
  addUser(name: string, password: string): Promise<void>
  permit(user: string, vhost: string): Promise<void>
  deleteVhost(name: string): Promise<void>
  deleteUser(name: string): Promise<void>
  vhosts(): Promise<string[]>
}

function httpApi(adminUrl: string): Management {
  const u = new URL(adminUrl)
  const base = `http://${u.hostname}:${MANAGEMENT_PORT}/api`
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username || 'guest')}:${decodeURIComponent(u.password || 'guest')}`).toString('base64')}`
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(5000) })
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new RabbitManagementError(`RabbitMQ management API: ${method} ${path} answered ${res.status}`)
    return res
  }
  const e = encodeURIComponent
  return {
    addVhost: async (name) => void (await call('PUT', `/vhosts/${e(name)}`, {})),
    addUser: async (name, password) => void (await call('PUT', `/users/${e(name)}`, { password, tags: '' })),
    permit: async (user, vhost) => void (await call('PUT', `/permissions/${e(vhost)}/${e(user)}`, { configure: '.*', write: '.*', read: '.*' })),
    deleteVhost: async (name) => void (await call('DELETE', `/vhosts/${e(name)}`)),
    deleteUser: async (name) => void (await call('DELETE', `/users/${e(name)}`)),
    vhosts: async () => ((await (await call('GET', '/vhosts?columns=name')).json()) as { name: string }[]).map((v) => v.name),
  }
}

function ctl(): Management {
  const rabbitmqctl = async (...args: string[]) => (await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 })).stdout
  return {
    addVhost: async (name) => void (await rabbitmqctl('add_vhost', name)),
    addUser: async (name, password) => void (await rabbitmqctl('add_user', name, password)),
    permit: async (user, vhost) => void (await rabbitmqctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*')),
    deleteVhost: async (name) => void (await rabbitmqctl('delete_vhost', name).catch(() => undefined)),
    deleteUser: async (name) => void (await rabbitmqctl('delete_user', name).catch(() => undefined)),
    vhosts: async () => (await rabbitmqctl('list_vhosts', 'name', '--no-table-headers')).split('\n').map((l) => l.trim()).filter(Boolean),
  }
}

const local = (host: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)

/** The management API when it answers, else rabbitmqctl for a broker on this machine. */
export async function management(adminUrl: string): Promise<Management> {
  const api = httpApi(adminUrl)
  try {
    await api.vhosts()
    return api
  } catch (err) {
    if (!local(new URL(adminUrl).hostname)) {
      throw new RabbitManagementError(`cannot make a RabbitMQ vhost per grade: the management API on port ${MANAGEMENT_PORT} does not answer (${(err as Error).message}); enable it (rabbitmq-plugins enable rabbitmq_management, or a *-management image)`)
    }
    try {
      await run('rabbitmqctl', ['-q', 'status'], { timeout: 60_000 })
    } catch (e) {
      throw new RabbitManagementError(`cannot make a RabbitMQ vhost per grade: no management API on port ${MANAGEMENT_PORT} and rabbitmqctl fails (${(e as Error).message.split('\n')[0]})`)
    }
    return ctl()
  }
}

export async function createRunVhost(m: Management, adminUrl: string): Promise<RabbitRunVhost> {
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`
  const password = randomBytes(18).toString('hex')
  try {
    await Promise.all([m.addVhost(name), m.addUser(name, password)])
    await m.permit(name, name)
  } catch (err) {
    await dropRunVhost(m, name)
    throw err
  }
  const u = new URL(adminUrl)
  u.username = name
  u.password = password
  u.pathname = `/${encodeURIComponent(name)}`
  return { name, url: u.toString() }
}

/** Deletes the vhost (its queues and exchanges, its connections closed) and the user. */
export async function dropRunVhost(m: Management, name: string) {
  await Promise.all([m.deleteVhost(name), m.deleteUser(name)])
}

/** Vhosts and users of grades whose grader died, older than an hour. */
export async function dropStaleVhosts(m: Management) {
  const now = Math.floor(Date.now() / 1000)
  const stale = (await m.vhosts()).filter((v) => v.startsWith(PREFIX) && now - Number(v.slice(PREFIX.length).split('_')[0]) > STALE_SECONDS)
  await Promise.all(stale.map((v) => dropRunVhost(m, v)))
}
