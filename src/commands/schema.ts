import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jsonSchemas } from '../catalog/json-schema.ts'
import { withReference } from '../catalog/reference.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { processOutput } from '../report/output.ts'
import { findRoot, type GlobalOptions } from './context.ts'

/** `roadmap schema`: regenerates the editor JSON Schemas and AUTHORING.md's metadata reference. */
export async function schemaCommand(opts: GlobalOptions): Promise<ExitCode> {
  const root = opts.root ?? findRoot()
  const out = opts.output ?? processOutput
  for (const [file, content] of Object.entries(jsonSchemas())) {
    writeFileSync(join(root, file), content)
    out.line(`wrote ${file}`)
  }
  const authoring = join(root, 'AUTHORING.md')
  writeFileSync(authoring, withReference(readFileSync(authoring, 'utf8')))
  out.line('wrote AUTHORING.md (metadata reference)')
  return EXIT.ok
}
