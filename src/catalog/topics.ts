import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { parseYamlCached } from './yaml-cache.ts'

export const TOPICS_FILE = join('harness', 'topics.yaml')

export const Topic = z.object({ id: z.string(), chapter: z.string(), extra: z.boolean(), title: z.string() }).strict()
export type Topic = z.infer<typeof Topic>

/** The roadmap's topic ids (harness/topics.yaml); empty when a catalog has none. */
export function loadTopics(root: string): Topic[] {
  const file = join(root, TOPICS_FILE)
  if (!existsSync(file)) return []
  return z.object({ topics: z.array(Topic) }).parse(parseYamlCached(readFileSync(file, 'utf8'))).topics
}
