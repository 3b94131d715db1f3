import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jsonSchemas } from '../catalog/json-schema.ts'
import { findRoot, type GlobalOptions } from './context.ts'

/** `roadmap schema`: regenerates the editor JSON Schemas from the loader's own schema. */
export async function schemaCommand(opts: GlobalOptions): Promise<number> {
  const root = opts.root ?? findRoot()
  for (const [file, content] of Object.entries(jsonSchemas())) {
    writeFileSync(join(root, file), content)
    process.stdout.write(`wrote ${file}\n`)
  }
  return 0
}
