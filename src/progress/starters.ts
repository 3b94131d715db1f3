import { execFileSync } from 'node:child_process'
import { relative } from 'node:path'

/** The pristine starter could not be found. */
export class StarterUnavailableError extends Error {
  override name = 'StarterUnavailableError'
}

const git = (root: string, args: string[]) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })

/**
 * The starter as the curriculum shipped it, read from git: the upstream remote's
 * branch when there is one (the learner's own commits may hold their solutions),
 * else the first commit that has the file in this checkout.
 */
export function pristineStarter(root: string, file: string): string {
  const path = relative(root, file)
  const refs = ['upstream/HEAD', 'origin/HEAD', 'upstream/main', 'origin/main']
  for (const ref of refs) {
    try {
      return git(root, ['show', `${ref}:${path}`])
    } catch {
      // not this ref: try the next
    }
  }
  try {
    const first = git(root, ['log', '--diff-filter=A', '--format=%H', '--', path]).trim().split('\n').pop()
    if (first) return git(root, ['show', `${first}:${path}`])
  } catch {
    // not a git checkout
  }
  throw new StarterUnavailableError(`cannot find the original of ${path}: reset needs the git history of the roadmap checkout`)
}
