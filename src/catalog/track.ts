import { GO_DIR } from './go-track.ts'
import type { Catalog, Kata } from './types.ts'

/** The languages a learner can take the roadmap in. */
export const TRACKS = ['ts', 'go'] as const
export type Track = (typeof TRACKS)[number]
export const DEFAULT_TRACK: Track = 'ts'

export const isTrack = (v: unknown): v is Track => typeof v === 'string' && (TRACKS as readonly string[]).includes(v)

/** Every kata has the TypeScript track; the Go track only where kata.yaml has a `go:` block. */
export const offersTrack = (kata: Kata, track: Track) => track === 'ts' || kata.go !== undefined

/**
 * The catalog as one track sees it: only the katas that offer it, chapters without any
 * left out, positions counted within the track. In the Go track a kata's `files` and
 * `budgetMs` are its Go ones (`go/greet.go`), so whatever shows, resets or keeps the
 * learner's files works on them unchanged. `whole` keeps the full catalog, so a kata
 * named explicitly can be told apart from one that does not exist.
 */
export function trackCatalog(catalog: Catalog, track: Track): Catalog {
  if (track === 'ts') return { ...catalog, track, whole: catalog }
  let index = 0
  const chapters = catalog.chapters
    .map((c) => ({ ...c, katas: c.katas.filter((k) => offersTrack(k, track)).map((k) => goView(k, index++)) }))
    .filter((c) => c.katas.length > 0)
  const katas = chapters.flatMap((c) => c.katas)
  return { root: catalog.root, chapters, katas, byId: new Map(katas.map((k) => [k.id, k])), track, whole: catalog }
}

/** A kata as the Go track sees it: its Go files, services, budget and hints (its TypeScript mutants and hints are not the Go track's). */
function goView(kata: Kata, index: number): Kata {
  const go = kata.go!
  return { ...kata, index, services: go.services ?? kata.services, files: go.files.map((f) => `${GO_DIR}/${f}`), statementDir: `${kata.dir}/${GO_DIR}`, budgetMs: go.budgetMs, hints: go.hints, mutants: [], alternatives: [] }
}
