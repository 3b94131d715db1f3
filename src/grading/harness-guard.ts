import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * A snapshot of the hidden suites and fixtures. Where graded code cannot be kept from
 * writing to them (no unprivileged user to run it as), grading compares afterwards,
 * puts back what changed and says so.
 */
export class HarnessGuard {
  private files = new Map<string, { hash: string; content: Buffer }>()

  private readonly dir: string
  constructor(dir: string) {
    this.dir = dir
    for (const file of walk(dir)) {
      const content = readFileSync(file)
      this.files.set(file, { hash: digest(content), content })
    }
  }

  /** Restores changed files; returns them, relative to the folder (empty when none). */
  restore(): string[] {
    const changed: string[] = []
    for (const [file, { hash, content }] of this.files) {
      let now: string | undefined
      try {
        now = digest(readFileSync(file))
      } catch {
        now = undefined
      }
      if (now !== hash) {
        writeFileSync(file, content)
        changed.push(relative(this.dir, file))
      }
    }
    return changed
  }
}

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex')

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : []
  })
}
