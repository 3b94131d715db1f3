import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/** The user graded code runs as when the harness runs as root. */
export const NOBODY = 65534

/**
 * Can another user (`nobody`) use these paths: every folder on the way searchable, the
 * file itself readable (and executable for a program)? Dropping privileges is only
 * possible when Node, the checkout and the submission all are.
 */
export function usableByOthers(paths: string[]): boolean {
  return paths.every((p) => {
    try {
      const full = resolve(p)
      const st = statSync(full)
      if (st.isDirectory() ? (st.mode & 0o005) !== 0o005 : (st.mode & 0o004) === 0) return false
      for (let dir = dirname(full); ; dir = dirname(dir)) {
        if ((statSync(dir).mode & 0o001) === 0) return false
        if (dirname(dir) === dir) return true
      }
    } catch {
      return false
    }
  })
}
