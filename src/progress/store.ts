import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { emptyProgress, Progress, type KataProgress } from './schema.ts'

export const PROGRESS_FILE = join('.roadmap', 'progress.json')

/** What happened when the file was read: fine, absent, or damaged and moved aside. */
export type LoadNote = { kind: 'ok' } | { kind: 'new' } | { kind: 'damaged'; movedTo: string; reason: string }

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

/**
 * The learner's progress in `.roadmap/progress.json`: small, readable, portable by
 * copying. Every change re-reads the file first, so two `roadmap` processes on one
 * checkout keep each other's check-offs.
 */
export class ProgressStore {
  readonly file: string
  private data: Progress
  readonly note: LoadNote

  constructor(root: string) {
    this.file = join(root, PROGRESS_FILE)
    const { data, note } = this.read()
    this.data = data
    this.note = note
  }

  private read(): { data: Progress; note: LoadNote } {
    if (!existsSync(this.file)) return { data: emptyProgress(), note: { kind: 'new' } }
    const raw = readFileSync(this.file, 'utf8')
    let reason: string
    try {
      const parsed = Progress.safeParse(JSON.parse(raw))
      if (parsed.success) return { data: parsed.data, note: { kind: 'ok' } }
      const i = parsed.error.issues[0]!
      reason = `${i.path.join('.') || '(root)'}: ${i.message}`
    } catch (err) {
      reason = `not valid JSON: ${(err as Error).message}`
    }
    // Never reset silently: keep the damaged file beside, say where it went.
    const movedTo = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
    renameSync(this.file, movedTo)
    return { data: emptyProgress(), note: { kind: 'damaged', movedTo, reason } }
  }

  get snapshot(): Readonly<Progress> {
    return this.data
  }

  kata(id: string): KataProgress {
    return this.data.katas[id] ?? { hintsSeen: 0 }
  }

  /** Applies a change to the freshest copy on disk and writes it atomically. */
  update(change: (p: Progress) => void) {
    const fresh = existsSync(this.file) ? Progress.safeParse(safeJson(readFileSync(this.file, 'utf8'))) : undefined
    const base = fresh?.success ? fresh.data : this.data
    change(base)
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
