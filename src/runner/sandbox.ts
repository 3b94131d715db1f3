import { chmodSync, chownSync, closeSync, constants, cpSync, existsSync, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Kata } from '../catalog/types.ts'

/** A declared learner file the submission lacks, or brings in a form we refuse. */
export interface MissingFile {
  kata: string
  file: string
  reason: string
}

/** A submission that cannot be graded at all (its exercises/ folder is a link). */
export class SubmissionError extends Error {
  override name = 'SubmissionError'
}

const MAX_BYTES = 1_000_000

/**
 * Builds a fresh exercises/ folder: every kata folder as the curriculum ships it
 * (from `harnessExercises`), then only the files each kata declares taken from the
 * submission. Suites, fixtures, configs and anything else the submission carries
 * never reach the runner. Only regular files with a single name are copied, read
 * through a descriptor opened without following links, and no folder on the way may
 * be a link: nothing in the sandbox leads out of the submission.
 *
 * `gid`: the group of the user graded code runs as; the sandbox is then readable by
 * that group only (another student's run cannot read it).
 * `into`: a folder of the grader's to build it in (grade --many: the same one for every
 * submission, emptied first); by default a new one.
 */
export function sandboxSubmission(submissionDir: string, katas: Kata[], harnessExercises: string, gid?: number, into?: string) {
  const src = resolve(submissionDir, 'exercises')
  const top = lstatSync(src, { throwIfNoEntry: false })
  if (!top || top.isSymbolicLink() || !top.isDirectory()) throw new SubmissionError(`${submissionDir}/exercises ${top?.isSymbolicLink() ? 'is a symbolic link' : 'is not a folder'}: grade takes a submission whose exercises/ is a real folder`)
  if (into) rmSync(join(into, 'exercises'), { recursive: true, force: true })
  const root = into ?? mkdtempSync(join(tmpdir(), 'roadmap-grade-'))
  const missing: MissingFile[] = []
  for (const kata of katas) {
    const shipped = join(harnessExercises, kata.dir)
    if (existsSync(shipped)) cpSync(shipped, join(root, 'exercises', kata.dir), { recursive: true, verbatimSymlinks: true })
    for (const file of kata.files) {
      const shown = `exercises/${kata.dir}/${file}`
      const from = join(src, kata.dir, file)
      const refused = linkOnTheWay(src, from)
      let content: Buffer | undefined
      let reason = refused
      if (!reason) {
        try {
          content = readRegularFile(from)
        } catch (err) {
          reason = err instanceof Refused ? err.message : 'is missing'
        }
      }
      if (reason || !content) {
        missing.push({ kata: kata.id, file: shown, reason: reason ?? 'is missing' })
        continue
      }
      const to = join(root, 'exercises', kata.dir, file)
      mkdirSync(dirname(to), { recursive: true })
      rmSync(to, { force: true })
      writeFileSync(to, content, { flag: 'wx' })
    }
  }
  lockDown(root, gid)
  return { dir: root, missing, remove: () => rmSync(into ? join(root, 'exercises') : root, { recursive: true, force: true }) }
}

class Refused extends Error {}

/** The first folder between `base` and `file` that is a link (or not a folder), as a reason. */
function linkOnTheWay(base: string, file: string): string | undefined {
  const parts = relative(base, file).split(sep).slice(0, -1)
  let dir = base
  for (const p of parts) {
    dir = join(dir, p)
    const st = lstatSync(dir, { throwIfNoEntry: false })
    if (!st) return undefined // missing: reported as such
    if (st.isSymbolicLink()) return `is inside ${relative(base, dir)}/, which is a symbolic link`
    if (!st.isDirectory()) return `is inside ${relative(base, dir)}, which is not a folder`
  }
  return undefined
}

/** Reads a regular file with one name, refusing links and hard links (which could lead out). */
function readRegularFile(file: string): Buffer {
  const st = lstatSync(file)
  if (st.isSymbolicLink()) throw new Refused('is a symbolic link')
  if (!st.isFile()) throw new Refused('is not a regular file')
  if (st.nlink !== 1) throw new Refused(`is a hard link (the file has ${st.nlink} names): submit a regular file`)
  if (st.size > MAX_BYTES) throw new Refused('is larger than 1 MB')
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const now = fstatSync(fd)
    // Swapped between the check and the open: refuse rather than guess.
    if (now.ino !== st.ino || now.dev !== st.dev || !now.isFile() || now.nlink !== 1) throw new Refused('changed while it was being copied')
    const buf = Buffer.alloc(Math.min(now.size, MAX_BYTES))
    let off = 0
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off)
      if (n === 0) break
      off += n
    }
    return buf.subarray(0, off)
  } finally {
    closeSync(fd)
  }
}

/** Read-only for graded code; with a gid, readable by that group only. */
function lockDown(dir: string, gid: number | undefined) {
  const dirMode = gid === undefined ? 0o755 : 0o750
  const fileMode = gid === undefined ? 0o644 : 0o640
  const walk = (d: string) => {
    chmodSync(d, dirMode)
    if (gid !== undefined) chownSync(d, 0, gid)
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) {
        chmodSync(p, fileMode)
        if (gid !== undefined) chownSync(p, 0, gid)
      }
    }
  }
  walk(dir)
}
