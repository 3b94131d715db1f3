import { relative } from 'node:path'

/** One thing wrong with the catalog, in words an author can act on. */
export interface CatalogProblem {
  file: string
  field: string
  reason: string
}

export class CatalogError extends Error {
  readonly problems: CatalogProblem[]
  constructor(problems: CatalogProblem[], root: string) {
    super(
      `The kata catalog has ${problems.length} problem(s):\n` +
        problems.map((p) => `  ${relative(root, p.file) || p.file}: ${p.field}: ${p.reason}`).join('\n'),
    )
    this.name = 'CatalogError'
    this.problems = problems
  }
}
