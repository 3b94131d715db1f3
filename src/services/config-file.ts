import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { SERVICE_NAMES } from '../catalog/schema.ts'

export const CONFIG_FILE = 'roadmap.config.yaml'

const ConfigFile = z
  .object({
    lang: z.enum(['en', 'ru']).optional(),
    services: z.partialRecord(z.enum(SERVICE_NAMES), z.string().url()).optional(),
    containers: z
      .object({
        mode: z.enum(['auto', 'only', 'off']).optional(),
        images: z.partialRecord(z.enum(SERVICE_NAMES), z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

export type RoadmapConfig = z.infer<typeof ConfigFile>

export class ConfigFileError extends Error {
  override name = 'ConfigFileError'
}

/** The optional per-checkout config: service URLs, container images and the interface language. */
export function readConfigFile(root: string): RoadmapConfig {
  const file = join(root, CONFIG_FILE)
  if (!existsSync(file)) return {}
  let raw: unknown
  try {
    raw = parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ConfigFileError(`${CONFIG_FILE}: not valid YAML: ${(err as Error).message.split('\n')[0]}`)
  }
  const parsed = ConfigFile.safeParse(raw ?? {})
  if (!parsed.success) {
    const i = parsed.error.issues[0]!
    throw new ConfigFileError(`${CONFIG_FILE}: ${i.path.join('.') || '(root)'}: ${i.message}`)
  }
  return parsed.data
}
