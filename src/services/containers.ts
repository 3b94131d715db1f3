import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ServiceName } from '../catalog/schema.ts'

/** A started container and how to stop it. */
export interface StartedService {
  url: string
  stop(): Promise<void>
}

/** Containers this harness starts carry the pid of the process that owns them. */
export const OWNER_LABEL = 'org.roadmap.owner-pid'

// Ryuk (Testcontainers' reaper) is itself an image from a registry; this harness removes
// its own containers on close and reaps those of processes that died (see reapOrphans).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true'

/**
 * Asks Testcontainers whether a Docker engine answers. Without one it fails in about
 * a millisecond; the timeout only guards against an engine that hangs.
 */
export async function dockerEngine(ms = 3000): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`the Docker engine did not answer in ${ms} ms`)), ms).unref()),
    ])
    return { ok: true }
  } catch (err) {
    const msg = (err as Error).message
    return { ok: false, reason: /container runtime strategy/i.test(msg) ? 'no Docker engine answers' : msg }
  }
}

/** Why a container did not start, in plain words: an image the engine cannot pull says so. */
export function containerFailure(image: string, err: unknown): string {
  const msg = (err as Error).message ?? String(err)
  if (/pull|manifest|registry|lookup|dial tcp|no such host|TLS handshake|i\/o timeout|not found/i.test(msg)) {
    return `Docker answers but cannot pull ${image} (no registry reachable, and the image is not on this machine): docker pull ${image}, or set ROADMAP_IMAGE_* / containers.images in roadmap.config.yaml to an image you have`
  }
  return `Testcontainers could not start ${image}: ${msg.split('\n')[0]}`
}

let reaper: ReturnType<typeof spawn> | undefined

/** Starts, once per process, the detached watcher that removes this process's containers after it. */
function watchOverContainers() {
  if (reaper) return
  const script = fileURLToPath(new URL('./container-reaper.ts', import.meta.url))
  reaper = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, String(process.pid)], { detached: true, stdio: 'ignore', env: process.env })
  reaper.unref()
}

/** Starts a throwaway container for a service with Testcontainers' modules. */
export async function startContainer(name: ServiceName, image: string): Promise<StartedService> {
  const labels = { [OWNER_LABEL]: String(process.pid) }
  watchOverContainers()
  switch (name) {
    case 'postgres': {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
      const c = await new PostgreSqlContainer(image).withLabels(labels).withUsername('postgres').withPassword('postgres').withDatabase('postgres').start()
      return { url: c.getConnectionUri(), stop: async () => void (await c.stop()) }
    }
    case 'redis': {
      const { RedisContainer } = await import('@testcontainers/redis')
      const c = await new RedisContainer(image).withLabels(labels).start()
      return { url: c.getConnectionUrl(), stop: async () => void (await c.stop()) }
    }
    case 'rabbitmq': {
      const { RabbitMQContainer } = await import('@testcontainers/rabbitmq')
      const c = await new RabbitMQContainer(image).withLabels(labels).withStartupTimeout(90_000).start()
      return { url: c.getAmqpUrl(), stop: async () => void (await c.stop()) }
    }
    case 'nats': {
      const { GenericContainer, Wait } = await import('testcontainers')
      const c = await new GenericContainer(image).withLabels(labels).withCommand(['-js']).withExposedPorts(4222).withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start()
      return { url: `nats://${c.getHost()}:${c.getMappedPort(4222)}`, stop: async () => void (await c.stop()) }
    }
  }
}

/**
 * Removes containers whose owning process is gone (killed before it could stop them).
 * Without Ryuk nothing else would: a learner's Ctrl+C must not leave databases running.
 */
export async function reapOrphans(): Promise<number> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const { dockerode } = (await getContainerRuntimeClient()).container
  const list = await dockerode.listContainers({ all: true, filters: { label: [OWNER_LABEL] } })
  let removed = 0
  for (const info of list) {
    const pid = Number(info.Labels?.[OWNER_LABEL])
    if (!pid || alive(pid)) continue
    await dockerode.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined)
    removed++
  }
  await reapKataStacks(dockerode)
  return removed
}

/** The prefix of the compose projects the Docker chapter's suites bring up (harness/support/compose-stack.ts). */
export const KATA_STACK_PREFIX = 'roadmap-kata-'

/**
 * The named volumes and networks of a kata's compose stack whose containers are all gone
 * (the suite was stopped before its `down -v`): removed too.
 */
async function reapKataStacks(dockerode: import('dockerode')) {
  const PROJECT = 'com.docker.compose.project'
  const live = new Set((await dockerode.listContainers({ all: true, filters: { label: [PROJECT] } })).map((c) => c.Labels?.[PROJECT]))
  const orphan = (labels: Record<string, string> | undefined | null) => {
    const project = labels?.[PROJECT]
    return !!project && project.startsWith(KATA_STACK_PREFIX) && !live.has(project)
  }
  const { Volumes } = await dockerode.listVolumes({ filters: { label: [PROJECT] } })
  for (const v of Volumes ?? []) if (orphan(v.Labels)) await dockerode.getVolume(v.Name).remove().catch(() => undefined)
  for (const n of await dockerode.listNetworks({ filters: { label: [PROJECT] } })) if (orphan(n.Labels)) await dockerode.getNetwork(n.Id).remove().catch(() => undefined)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export type ImageAvailability = { state: 'local' | 'pullable' } | { state: 'unavailable'; reason: string; /** The registry's or Docker's own words. */ why: string }

/**
 * Whether a container of `image` could start here: already on the machine, pullable
 * (its registry answers for it), or not, with the reason. Asks the registry for the
 * manifest only: nothing is downloaded.
 */
export async function imageAvailability(image: string): Promise<ImageAvailability> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const { dockerode } = (await getContainerRuntimeClient()).container
  try {
    await dockerode.getImage(image).inspect()
    return { state: 'local' }
  } catch {
    // not on this machine: ask its registry
  }
  try {
    await Promise.race([
      dockerode.getImage(image).distribution(),
      new Promise((_, rej) => setTimeout(() => rej(new Error('the registry did not answer in 5 s')), 5000).unref()),
    ])
    return { state: 'pullable' }
  } catch (err) {
    const why = (err as Error).message.split('\n')[0] ?? ''
    return { state: 'unavailable', why, reason: `Docker answers but cannot pull ${image}: ${why}` }
  }
}
