import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { Kata } from '../catalog/types.ts'

/** A declared learner file the submission lacks, or brings in a form we refuse. */
export interface MissingFile {
  kata: string
  file: string
  reason: string
}

/**
 * Builds a fresh exercises/ folder: every kata folder as the curriculum ships it
 * (from `harnessExercises`), then only the files each kata declares taken from the
 * submission. Suites, fixtures, configs and anything else the submission carries
 * never reach the runner. Links are refused so a submission cannot point elsewhere.
 */
export function sandboxSubmission(submissionDir: string, katas: Kata[], harnessExercises: string) {
  const root = mkdtempSync(join(tmpdir(), 'roadmap-grade-'))
  const src = resolve(submissionDir, 'exercises')
  const missing: MissingFile[] = []
  for (const kata of katas) {
    const shipped = join(harnessExercises, kata.dir)
    if (existsSync(shipped)) cpSync(shipped, join(root, 'exercises', kata.dir), { recursive: true, verbatimSymlinks: true })
    for (const file of kata.files) {
      const from = join(src, kata.dir, file)
      let reason: string | undefined
      try {
        const st = lstatSync(from)
        if (st.isSymbolicLink()) reason = 'is a symbolic link'
        else if (!st.isFile()) reason = 'is not a regular file'
        else if (st.size > 1_000_000) reason = 'is larger than 1 MB'
      } catch {
        reason = 'is missing'
      }
      if (reason) {
        missing.push({ kata: kata.id, file: `exercises/${kata.dir}/${file}`, reason })
        continue
      }
      const to = join(root, 'exercises', kata.dir, file)
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(from, to)
    }
  }
  // Workers may run as an unprivileged user: they must be able to read, not write.
  readableOnly(root)
  return { dir: root, missing, remove: () => rmSync(root, { recursive: true, force: true }) }
}

function readableOnly(dir: string) {
  chmodSync(dir, 0o755)
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) readableOnly(p)
    else if (e.isFile()) chmodSync(p, 0o644)
  }
}
