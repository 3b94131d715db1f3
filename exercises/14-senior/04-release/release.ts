// The release checklist as code (see README.md). Run git with node:child_process execFile
// (no shell), read and write CHANGELOG.md with node:fs/promises.
export type ReleaseErrorCode = 'NOT_A_REPO' | 'NOT_ON_MAIN' | 'DIRTY' | 'NOTHING_TO_RELEASE'

export class ReleaseError extends Error {
  override name = 'ReleaseError'
  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export interface ReleaseOptions {
  /** The repository's working directory. */
  dir: string
  /** The release date for the changelog, YYYY-MM-DD. */
  date: string
  /** Work everything out, change nothing. */
  dryRun?: boolean
}

export interface ReleaseResult {
  version: string
  /** The previous version, or null for the first release. */
  previous: string | null
  /** The changelog section of this release. */
  notes: string
}

/** Checks the repository, then versions, documents, commits and tags the release (see README.md). */
export async function release(_options: ReleaseOptions): Promise<ReleaseResult> {
  throw new Error('TODO: release: run the checklist, work out the next version from the commits, write CHANGELOG.md, commit and tag (see README.md)\nTODO(ru): release: пройти чек-лист, вычислить следующую версию по коммитам, записать CHANGELOG.md, сделать коммит и поставить тег (см. README.ru.md)')
}
