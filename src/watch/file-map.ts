import { statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { GO_DIR } from '../catalog/go-track.ts'
import type { Catalog, Kata } from '../catalog/types.ts'

/** What a save in a kata's go/ folder is to the Go track: its sources and its module files. */
const GO_SOURCE = /\.go$|(^|\/)go\.(mod|sum)$/

/**
 * Which kata a changed file belongs to: the kata whose exercises folder holds it, in the
 * catalog's track. The Go track follows the .go files (and go.mod, go.sum) of the kata's
 * go/ folder, and the other files the kata gives the learner there (its SQL migrations);
 * the TypeScript track everything else, so a Go save never starts a TypeScript run nor the reverse.
 */
export function kataOfFile(catalog: Catalog, exercisesRoot: string, file: string): Kata | undefined {
  const rel = relative(exercisesRoot, file).split(sep).join('/')
  if (rel.startsWith('..')) return undefined
  const kata = catalog.katas.find((k) => rel.startsWith(`${k.dir}/`))
  if (!kata) return undefined
  const inGo = rel.startsWith(`${kata.dir}/${GO_DIR}/`)
  // In the Go track a kata's files are its go/ files (catalog/track.ts).
  if (catalog.track === 'go') return inGo && (GO_SOURCE.test(rel) || kata.files.some((f) => rel === `${kata.dir}/${f}`)) ? kata : undefined
  return inGo ? undefined : kata
}

/** The learner files of the catalog's katas (in its track) modified at or after `since` (ms since the epoch). */
export function learnerFilesChangedSince(catalog: Catalog, exercisesRoot: string, since: number): string[] {
  return catalog.katas.flatMap((k) => k.files.map((f) => join(exercisesRoot, k.dir, f))).filter((file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= since)
}
