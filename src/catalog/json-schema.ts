import { z } from 'zod'
import { ChapterMeta, KataMeta } from './schema.ts'

/** JSON Schemas for editors, generated from the same zod schemas the loader validates with. */
export function jsonSchemas(): Record<string, string> {
  const render = (schema: z.ZodType, title: string) =>
    `${JSON.stringify({ ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title }, null, 2)}\n`
  return {
    'schema/kata.schema.json': render(KataMeta, 'roadmap kata metadata (kata.yaml)'),
    'schema/chapter.schema.json': render(ChapterMeta, 'roadmap chapter metadata (chapter.yaml)'),
  }
}
