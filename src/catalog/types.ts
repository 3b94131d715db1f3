import type { ChapterMeta, KataMeta } from './schema.ts'
import type { Track } from './track.ts'

/** A kata as the rest of the system sees it: metadata plus where its parts live. */
export interface Kata extends KataMeta {
  chapter: string
  slug: string
  /** Position in the whole roadmap, 0-based. */
  index: number
  /** Folder of the kata relative to exercises/ and solutions/, e.g. "03-postgres/01-crud". */
  dir: string
  /** Absolute path of the kata's metadata file. */
  metaFile: string
  /** Absolute path of the hidden suite. */
  suiteFile: string
  /** Folder of the statement below exercises/ when it is not `dir`: the Go track's is `<dir>/go`. */
  statementDir?: string
}

export interface Chapter extends Omit<ChapterMeta, 'katas'> {
  dir: string
  katas: Kata[]
}

export interface Catalog {
  root: string
  chapters: Chapter[]
  /** Every kata in roadmap order. */
  katas: Kata[]
  byId: Map<string, Kata>
  /** The track this catalog was narrowed to (see track.ts); absent: the catalog as loaded. */
  track?: Track
  /** Before narrowing to a track: every kata, to say "no Go version" rather than "no such kata". */
  whole?: Catalog
}
