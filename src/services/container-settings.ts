import type { ServiceName } from '../catalog/schema.ts'
import type { RoadmapConfig } from './config-file.ts'

/** The official images a learner's Docker pulls; a machine without a registry overrides them. */
export const DEFAULT_IMAGES: Record<ServiceName, string> = {
  postgres: 'postgres:17-alpine',
  redis: 'redis:7-alpine',
  rabbitmq: 'rabbitmq:4-management-alpine',
  nats: 'nats:2-alpine',
}

/**
 * When Testcontainers is used: `auto` after the local port (the default), `only` instead
 * of the local port (always a fresh container), `off` never.
 */
export type ContainerMode = 'auto' | 'only' | 'off'

export interface ContainerSettings {
  mode: ContainerMode
  images: Record<ServiceName, string>
}

const envName = (s: ServiceName) => `ROADMAP_IMAGE_${s.toUpperCase()}`

/** Settings from the environment (`ROADMAP_CONTAINERS`, `ROADMAP_IMAGE_<SERVICE>`), then the config file. */
export function containerSettings(env: NodeJS.ProcessEnv, config: RoadmapConfig | undefined): ContainerSettings {
  const raw = env.ROADMAP_CONTAINERS ?? config?.containers?.mode ?? 'auto'
  const mode: ContainerMode = raw === 'only' || raw === 'off' ? raw : 'auto'
  const images = { ...DEFAULT_IMAGES }
  for (const s of Object.keys(images) as ServiceName[]) images[s] = env[envName(s)] || config?.containers?.images?.[s] || images[s]
  return { mode, images }
}
