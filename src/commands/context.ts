import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { CatalogError } from '../catalog/errors.ts'
import { findKata, nearIds } from '../catalog/find.ts'
import { loadCatalogLenient } from '../catalog/load.ts'
import type { CatalogProblem } from '../catalog/errors.ts'
import type { Catalog, Kata } from '../catalog/types.ts'
import { pickLang, type Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { UserError } from '../errors.ts'
import { processOutput, type Output } from '../report/output.ts'
import { ConfigFileError, readConfigFile, saveTrack, type RoadmapConfig } from '../services/config-file.ts'
import { DEFAULT_TRACK, isTrack, trackCatalog, type Track } from '../catalog/track.ts'
import { trackMessages } from '../i18n/track-messages.ts'

// Commands throw it; it lives outside commands/ so that the catalog can too.
export { UserError }

export interface GlobalOptions {
  root?: string
  lang?: string
  /** ts or go (commander checks the choice); absent: the remembered track, else ts. */
  track?: string
  /** Where the command prints (the process's streams unless a test passes its own). */
  output?: Output
}

export interface Context {
  root: string
  catalog: Catalog
  /** What is wrong with the catalog; the broken entries are left out of `catalog`. */
  problems: CatalogProblem[]
  config: RoadmapConfig
  lang: Lang
  /** The track the command works in; `catalog` holds only the katas that offer it. */
  track: Track
  /** The one writer the command prints through. */
  out: Output
}

/** The checkout: --root, or the nearest folder upwards that has a harness/. */
export function findRoot(start = process.cwd()): string {
  let dir = resolve(start)
  for (;;) {
    if (existsSync(join(dir, 'harness')) && existsSync(join(dir, 'exercises'))) return dir
    const up = dirname(dir)
    if (up === dir) return resolve(start)
    dir = up
  }
}

/**
 * Loads config and catalog. Broken catalog entries are reported on stderr and left out,
 * so the rest keeps working; `strict` (verify, grade) refuses to go on instead.
 * The catalog is narrowed to the track: --track, else the remembered one, else ts. A
 * learner's --track is remembered in the config; `remember` is false for the author's and
 * CI's commands (verify, grade), whose --track is about one run, not about the learner:
 * they neither remember it nor use the remembered one (no --track is the TypeScript track).
 */
export function openContext(opts: GlobalOptions, strict = false, remember = true): Context {
  const root = opts.root ? resolve(opts.root) : findRoot()
  const out = opts.output ?? processOutput
  try {
    const config = readConfigFile(root)
    const lang = pickLang(opts.lang, process.env, config.lang)
    // The remembered track is the learner's: verify and grade take theirs from --track alone.
    const track: Track = isTrack(opts.track) ? opts.track : ((remember ? config.track : undefined) ?? DEFAULT_TRACK)
    if (remember && isTrack(opts.track) && config.track !== opts.track) {
      saveTrack(root, opts.track)
      config.track = opts.track
    }
    const { catalog, problems } = loadCatalogLenient(root)
    if (problems.length) {
      const err = new CatalogError(problems, root)
      if (strict) throw err
      out.note(`${err.message}\n${messages(lang).catalogLeftOut}`)
    }
    return { root, catalog: trackCatalog(catalog, track), problems, config, lang, track, out }
  } catch (err) {
    if (err instanceof CatalogError || err instanceof ConfigFileError) throw new UserError(err.message)
    throw err
  }
}

export function requireKata(ctx: Context, query: string): Kata {
  const kata = findKata(ctx.catalog, query)
  if (kata) return kata
  const elsewhere = ctx.catalog.whole && findKata(ctx.catalog.whole, query)
  if (elsewhere) throw new UserError(trackMessages(ctx.lang).notInTrack(elsewhere.id, ctx.track, ctx.catalog.katas.map((k) => k.id)))
  throw new UserError(messages(ctx.lang).unknownKata(query, nearIds(ctx.catalog, query)))
}
