import { randomBytes } from 'node:crypto'
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { UserError } from '../errors.ts'

/** A report folder the grader cannot trust (a planted link, someone else's folder): a usage error. */
export class OutDirError extends UserError {
  override name = 'OutDirError'
}

/**
 * Creates the report folder before any graded code runs, or accepts an existing one
 * only when it is a real folder (not a link), owned by the grader and writable by no
 * one else. Returns its real path.
 */
export function prepareOutDir(dir: string): string {
  const full = resolve(dir)
  const parent = realpathSync(ensureParent(dirname(full)))
  const path = join(parent, basename(full))
  let st: ReturnType<typeof lstatSync> | undefined
  try {
    st = lstatSync(path)
  } catch {
    st = undefined
  }
  if (!st) {
    mkdirSync(path, { mode: 0o755 })
    st = lstatSync(path)
  }
  if (st.isSymbolicLink()) throw new OutDirError(`--out ${dir} is a symbolic link: give a folder of your own (or one that does not exist yet)`)
  if (!st.isDirectory()) throw new OutDirError(`--out ${dir} is not a folder`)
  const me = process.getuid?.()
  if (me !== undefined && st.uid !== me) throw new OutDirError(`--out ${dir} belongs to another user (uid ${st.uid}): give a folder of your own (or one that does not exist yet)`)
  if (st.mode & 0o022) throw new OutDirError(`--out ${dir} is writable by other users: give a folder only you can write to`)
  return path
}

function ensureParent(dir: string): string {
  mkdirSync(dir, { recursive: true })
  return dir
}

/** A sub-folder of a prepared report folder (per student): same rules. */
export function prepareSubDir(parent: string, ...parts: string[]): string {
  let dir = parent
  for (const p of parts) dir = prepareOutDir(join(dir, p))
  return dir
}

/**
 * Writes a file atomically without following links: the content goes to a fresh
 * temporary name (O_EXCL | O_NOFOLLOW) in the same folder, then replaces the target
 * by rename, which replaces a planted link instead of writing through it.
 */
export function writeFileAtomic(file: string, content: string) {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)
  try {
    writeSync(fd, content)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    unlinkSync(tmp)
    throw err
  }
  closeSync(fd)
  renameSync(tmp, file)
}
