import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jsonSchemas } from '../catalog/json-schema.ts'
import { withReference } from '../catalog/reference.ts'
import { findRoot, type GlobalOptions } from './context.ts'

/** `roadmap schema`: regenerates the editor JSON Schemas and AUTHORING.md's metadata reference. */
export async function schemaCommand(opts: GlobalOptions): Promise<number> {
  const root = opts.root ?? findRoot()
  for (const [file, content] of Object.entries(jsonSchemas())) {
    writeFileSync(join(root, file), content)
    process.stdout.write(`wrote ${file}\n`)
  }
  const authoring = join(root, 'AUTHORING.md')
  writeFileSync(authoring, withReference(readFileSync(authoring, 'utf8')))
  process.stdout.write('wrote AUTHORING.md (metadata reference)\n')
  return 0
}
