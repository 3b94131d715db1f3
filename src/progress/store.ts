import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import type { KataResult } from '../results/model.ts'
import type { Track } from '../catalog/track.ts'
import { emptyProgress, KataProgress, Progress, TrackProgress } from './schema.ts'

export const PROGRESS_FILE = join('.roadmap', 'progress.json')

/**
 * What happened when the file was read: fine, absent, damaged beyond reading (moved
 * aside, a new one started), or with damaged fields (those dropped, every other kata's
 * state kept, the original copied aside).
 */
export type LoadNote =
  | { kind: 'ok' }
  | { kind: 'new' }
  | { kind: 'damaged'; movedTo: string; reason: string }
  | { kind: 'repaired'; copy: string; reason: string; dropped: string[] }

/** Writes a file so that a crash at any moment leaves the old or the new content, never a mix. */
export function writeAtomic(file: string, content: string) {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  try {
    const dfd = openSync(dirname(file), 'r')
    fsyncSync(dfd)
    closeSync(dfd)
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** What surfaces may see of the progress: they read it, the engine and the commands write it. */
export type ProgressView = Pick<ProgressStore, 'snapshot' | 'kata' | 'file' | 'note'>

/** The part of the file that holds one track's progress (the TypeScript track is the top level). */
function section(p: Progress, track: Track, create: boolean): TrackProgress | undefined {
  if (track === 'ts') return p
  if (!create) return p.tracks?.[track]
  return ((p.tracks ??= {})[track] ??= { katas: {} })
}

/**
 * The learner's progress in `.roadmap/progress.json`, and its only writer: every change
 * is one of the intents below (record, seeHint, setCurrent, clearCheckOff). Small,
 * readable, portable by copying. Every change re-reads the file first, so two `roadmap` processes on one
 * checkout keep each other's check-offs. Each store reads and writes one track's part of
 * the file; the other tracks' parts are kept as they are.
 */
export class ProgressStore {
  readonly file: string
  private data: Progress
  readonly note: LoadNote

  readonly track: Track
  constructor(
    root: string,
    track: Track = 'ts',
  ) {
    this.track = track
    this.file = join(root, PROGRESS_FILE)
    const { data, note } = this.read()
    this.data = data
    this.note = note
  }

  private read(): { data: Progress; note: LoadNote } {
    if (!existsSync(this.file)) return { data: emptyProgress(), note: { kind: 'new' } }
    const raw = readFileSync(this.file, 'utf8')
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch (err) {
      // Never reset silently: keep the damaged file beside, say where it went.
      const movedTo = `${this.file}.damaged-${stamp}`
      renameSync(this.file, movedTo)
      return { data: emptyProgress(), note: { kind: 'damaged', movedTo, reason: `not valid JSON: ${(err as Error).message}` } }
    }
    const parsed = Progress.safeParse(json)
    if (parsed.success) return { data: parsed.data, note: { kind: 'ok' } }
    const i = parsed.error.issues[0]!
    const reason = `${i.path.join('.') || '(root)'}: ${i.message}`
    // One bad field costs that field only: every other kata keeps its state.
    const { data, dropped } = salvage(json)
    const copy = `${this.file}.damaged-${stamp}`
    copyFileSync(this.file, copy)
    writeAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`)
    return { data, note: { kind: 'repaired', copy, reason, dropped } }
  }

  /** This track's progress. */
  get snapshot(): Readonly<TrackProgress> {
    return section(this.data, this.track, false) ?? { katas: {} }
  }

  kata(id: string): KataProgress {
    return this.snapshot.katas[id] ?? { hintsSeen: 0 }
  }

  /**
   * Records a learner's run. A pass is recorded at once; an outage (`unavailable`) is
   * not a learner verdict and changes nothing; runs of other targets are not the learner's.
   */
  record(r: KataResult) {
    if (r.target !== 'exercises' || r.verdict === 'unavailable') return
    this.update((p) => {
      const k = (p.katas[r.id] ??= { hintsSeen: 0 })
      k.lastVerdict = r.verdict
      k.lastRunAt = r.finishedAt
      if (r.verdict === 'pass') k.passedAt ??= r.finishedAt
    })
  }

  /** The learner has opened hints 1..upTo of a kata (never fewer than before). */
  seeHint(id: string, upTo: number) {
    this.update((p) => {
      const k = (p.katas[id] ??= { hintsSeen: 0 })
      k.hintsSeen = Math.max(k.hintsSeen, upTo)
    })
  }

  /** The kata the learner is on (none: every kata passed). */
  setCurrent(id: string | undefined) {
    // Unchanged (every launch sets it): no write, no fsync on the way to the first verdict.
    if (this.snapshot.current === id) return
    this.update((p) => (p.current = id))
  }

  /** The starter is back: the kata is no longer passed (its hints stay opened). Whether there was a check-off to clear. */
  clearCheckOff(id: string): boolean {
    const k = this.snapshot.katas[id]
    if (!k?.lastVerdict && !k?.passedAt) return false
    this.update((p) => {
      const fresh = p.katas[id]
      if (!fresh) return
      delete fresh.passedAt
      delete fresh.lastVerdict
      delete fresh.lastRunAt
    })
    return true
  }

  /** Applies a change to this track's part of the freshest copy on disk and writes it atomically. */
  private update(change: (p: TrackProgress) => void) {
    const fresh = existsSync(this.file) ? Progress.safeParse(safeJson(readFileSync(this.file, 'utf8'))) : undefined
    const base = fresh?.success ? fresh.data : this.data
    change(section(base, this.track, true)!)
    writeAtomic(this.file, `${JSON.stringify(base, null, 2)}\n`)
    this.data = base
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return undefined
  }
}

/** What can be kept of a progress file that parses but breaks the schema: each valid field, each kata on its own. */
export function salvage(json: unknown): { data: Progress; dropped: string[] } {
  const data = emptyProgress()
  const dropped: string[] = []
  const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined)
  const root = obj(json)
  if (!root) return { data, dropped: ['(root)'] }
  // The other tracks' part is kept whole or dropped whole.
  if (root.tracks !== undefined) {
    const tracks = Progress.shape.tracks.safeParse(root.tracks)
    if (tracks.success) data.tracks = tracks.data
    else dropped.push('tracks')
  }
  if (typeof root.current === 'string') data.current = root.current
  else if (root.current !== undefined) dropped.push('current')
  const katas = obj(root.katas)
  if (root.katas !== undefined && !katas) dropped.push('katas')
  const fields = KataProgress.shape
  for (const [id, entry] of Object.entries(katas ?? {})) {
    const whole = KataProgress.safeParse(entry)
    if (whole.success) {
      data.katas[id] = whole.data
      continue
    }
    const kept: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(obj(entry) ?? {})) {
      const schema = fields[field as keyof typeof fields]
      const ok = schema?.safeParse(value)
      if (ok?.success) kept[field] = ok.data
      else dropped.push(`katas.${id}.${field}`)
    }
    if (!obj(entry)) dropped.push(`katas.${id}`)
    data.katas[id] = KataProgress.parse(kept)
  }
  return { data, dropped }
}

/** What to tell the learner about how the progress file was read; undefined when there is nothing to say. */
export function describeNote(note: LoadNote, lang: Lang): string | undefined {
  const m = messages(lang)
  if (note.kind === 'damaged') return m.progressDamaged(note.reason, note.movedTo)
  if (note.kind === 'repaired') return m.progressRepaired(note.reason, note.dropped, note.copy)
  return undefined
}
