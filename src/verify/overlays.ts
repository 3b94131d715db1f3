import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { VerifyProblems } from '../i18n/verify-messages.ts'
import type { Target } from '../runner/target.ts'

/** A mutant (must fail) or an alternative design (must pass), laid over the reference solution. */
export interface Overlay {
  kind: 'mutant' | 'alternative'
  name: string
  /** Absolute folder holding the files that differ from the solution. */
  dir: string
  /** For a mutant, the sentence of the statement it breaks; for an alternative, its design. */
  about: string
  mistake?: string
}

/** Topics whose mistakes are about timing: races, ordering, cancellation, interleavings. */
const CONCURRENT = /^(core\.(async|channels|sync|workerpool|context)|http\.(idempotency|shutdown)|hl\.|proj\.|obs\.(health|tracing))/

/**
 * Whether a kata's verdicts can depend on timing: it talks to services or its topic
 * is concurrency. Its mutants must be rejected on every one of several runs.
 */
export const isConcurrent = (kata: Kata) => kata.services.length > 0 || kata.topics.some((t) => CONCURRENT.test(t))

/** The fewest mutants a kata may have: more where services or concurrency make mistakes subtle. */
export const minMutants = (kata: Kata) => (isConcurrent(kata) ? 5 : 3)

export const harnessDir = (catalog: Catalog, kata: Kata) => join(catalog.root, 'harness', kata.dir)

export function overlaysOf(catalog: Catalog, kata: Kata): Overlay[] {
  const base = harnessDir(catalog, kata)
  return [
    ...kata.mutants.map((m): Overlay => ({ kind: 'mutant', name: m.name, dir: join(base, 'mutants', m.name), about: m.breaks, mistake: m.mistake })),
    ...kata.alternatives.map((a): Overlay => ({ kind: 'alternative', name: a.name, dir: join(base, 'alternatives', a.name), about: a.design })),
  ]
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim()

/**
 * What is wrong with a kata's mutants and alternatives before any of them runs: too
 * few mutants, a folder that is missing or undeclared, a file that is not the
 * learner's, a quoted sentence the statement does not contain.
 */
export function overlayProblems(catalog: Catalog, kata: Kata, say: VerifyProblems): string[] {
  const problems: string[] = []
  const min = minMutants(kata)
  if (kata.mutants.length < min) problems.push(say.tooFewMutants(kata.mutants.length, min, min > 3))
  const readme = join(catalog.root, 'exercises', kata.dir, 'README.md')
  const statement = existsSync(readme) ? squash(readFileSync(readme, 'utf8')) : ''
  for (const o of overlaysOf(catalog, kata)) {
    const label = say.overlay(o.kind, o.name)
    const files = filesOf(o)
    if (!files.length) problems.push(say.overlayMissing(label, `${o.kind}s/${o.name}/`))
    for (const f of files) {
      if (!kata.files.includes(f)) problems.push(say.notLearnerFile(label, f, kata.files.join(', ')))
    }
    if (o.kind === 'mutant' && !statement.includes(squash(o.about))) problems.push(say.notQuoted(label, o.about))
  }
  for (const kind of ['mutants', 'alternatives'] as const) {
    const folder = join(harnessDir(catalog, kata), kind)
    if (!existsSync(folder)) continue
    const declared = new Set((kind === 'mutants' ? kata.mutants : kata.alternatives).map((m) => m.name))
    for (const d of readdirSync(folder)) {
      if (!declared.has(d)) problems.push(say.undeclared(kind, d))
    }
  }
  return problems
}

const filesOf = (o: Overlay) => (existsSync(o.dir) && statSync(o.dir).isDirectory() ? listFiles(o.dir) : [])

/** Whether a declared mutant or alternative has no files: then none of them is run. */
export const missingOverlays = (catalog: Catalog, kata: Kata) => overlaysOf(catalog, kata).some((o) => !filesOf(o).length)

/**
 * A scratch folder laid out like exercises/ where overlays are laid down one at a
 * time per kata: the solution's files, then the overlay's on top. One runner target
 * serves every overlay; the files written are returned so the runner re-reads them.
 */
export class OverlayTarget {
  readonly target: Target
  private readonly catalog: Catalog
  constructor(catalog: Catalog) {
    this.catalog = catalog
    this.target = { kind: 'overlay', root: mkdtempSync(join(tmpdir(), 'roadmap-overlays-')) }
    // Every kata starts solved: a kata may refer to a sibling (docker/compose builds ../01-dockerfile).
    // From its real folder: a catalog whose solutions/ is a link (a checkout made of links) is copied, not linked.
    cpSync(realpathSync(join(catalog.root, 'solutions')), this.target.root, { recursive: true })
  }

  layDown(kata: Kata, overlay: Overlay): string[] {
    const dest = join(this.target.root, kata.dir)
    // Files are replaced, not the folder: a sibling's run reading this one never finds it gone.
    mkdirSync(dest, { recursive: true })
    cpSync(join(this.catalog.root, 'solutions', kata.dir), dest, { recursive: true })
    cpSync(overlay.dir, dest, { recursive: true })
    const wanted = new Set([...listFiles(join(this.catalog.root, 'solutions', kata.dir)), ...listFiles(overlay.dir)])
    for (const f of listFiles(dest)) if (!wanted.has(f)) rmSync(join(dest, f))
    return listFiles(dest).map((f) => join(dest, f))
  }

  dispose() {
    rmSync(this.target.root, { recursive: true, force: true })
  }
}

/** Regular files below a folder, as paths relative to it. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : e.isFile() ? [`${prefix}${e.name}`] : [],
  )
}
