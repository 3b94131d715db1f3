import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Document, parse, parseDocument } from 'yaml'
import { z } from 'zod'
import { SERVICE_NAMES } from '../catalog/schema.ts'
import { TRACKS, type Track } from '../catalog/track.ts'

export const CONFIG_FILE = 'roadmap.config.yaml'

const ConfigFile = z
  .object({
    lang: z.enum(['en', 'ru']).optional(),
    /** The learner's track, written by the first command given --track. */
    track: z.enum(TRACKS).optional(),
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

/**
 * Remembers the learner's track in the config file, keeping the rest of the file (and its
 * comments) as it is. Writes only when the track changes.
 */
export function saveTrack(root: string, track: Track) {
  const file = join(root, CONFIG_FILE)
  const doc = existsSync(file) ? parseDocument(readFileSync(file, 'utf8')) : new Document({})
  if (doc.errors.length) throw new ConfigFileError(`${CONFIG_FILE}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`)
  if (doc.get('track') === track) return
  doc.set('track', track)
  writeFileSync(file, doc.toString())
}
