// The release checklist as code: check the repository, work out the next version from the
// commits, write the changelog, commit and tag — the same way every time.
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export type ReleaseErrorCode = 'NOT_A_REPO' | 'NOT_ON_MAIN' | 'DIRTY' | 'NOTHING_TO_RELEASE'

export class ReleaseError extends Error {
  override name = 'ReleaseError'
  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export interface ReleaseOptions {
  /** The repository's working directory. */
  dir: string
  /** The release date for the changelog, YYYY-MM-DD. */
  date: string
  /** Work everything out, change nothing. */
  dryRun?: boolean
}

export interface ReleaseResult {
  version: string
  /** The previous version, or null for the first release. */
  previous: string | null
  /** The changelog section of this release. */
  notes: string
}

type Semver = [number, number, number]

interface Commit {
  hash: string
  type: string
  scope?: string
  subject: string
  breaking?: string
}

const HEADER = /^(\w+)(?:\(([^()]+)\))?(!)?: (.+)$/
const SECTIONS = [
  ['feat', 'Features'],
  ['fix', 'Bug Fixes'],
  ['perf', 'Performance'],
] as const

/** Runs git without a shell: arguments are never parsed, whatever a commit message holds. */
async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

function parse(hash: string, message: string): Commit | undefined {
  const [header = '', ...body] = message.split('\n')
  const m = HEADER.exec(header.trim())
  if (!m) return undefined
  const footer = body.map((l) => /^BREAKING[ -]CHANGE: (.+)$/.exec(l.trim())?.[1]).find(Boolean)
  const subject = m[4]!.trim()
  return { hash, type: m[1]!, scope: m[2], subject, breaking: footer ?? (m[3] ? subject : undefined) }
}

const entry = (c: Commit, text: string) => `- ${c.scope ? `**${c.scope}:** ` : ''}${text} (${c.hash.slice(0, 7)})`

function bump([major, minor, patch]: Semver, commits: Commit[]): string {
  if (commits.some((c) => c.breaking)) return `${major + 1}.0.0`
  if (commits.some((c) => c.type === 'feat')) return `${major}.${minor + 1}.0`
  return `${major}.${minor}.${patch + 1}`
}

export async function release({ dir, date, dryRun = false }: ReleaseOptions): Promise<ReleaseResult> {
  try {
    await git(dir, 'rev-parse', '--is-inside-work-tree')
  } catch {
    throw new ReleaseError('NOT_A_REPO', `${dir} is not a git repository`)
  }
  const branch = await git(dir, 'symbolic-ref', '--quiet', '--short', 'HEAD').then(
    (s) => s.trim(),
    () => '(detached HEAD)',
  )
  const dirty = await git(dir, 'status', '--porcelain')
  if (dirty.trim()) throw new ReleaseError('DIRTY', `the working tree has changes:\n${dirty}`)
  if (branch !== 'main') throw new ReleaseError('NOT_ON_MAIN', `releases are cut from main, not from ${branch}`)

  // The highest vX.Y.Z reachable from HEAD; pre-releases and other branches' tags do not count.
  const tags = (await git(dir, 'tag', '--merged', 'HEAD', '--list', 'v*'))
    .split('\n')
    .map((t) => /^v(\d+)\.(\d+)\.(\d+)$/.exec(t.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2]), Number(m[3])] as Semver)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
  const last = tags.at(-1)
  const previous = last ? last.join('.') : null

  const log = await git(dir, 'log', '--no-merges', '--reverse', '--format=%H%x1f%B%x1e', previous ? `v${previous}..HEAD` : 'HEAD')
  const commits = log
    .split('\x1e')
    .map((rec) => rec.replace(/^\n/, ''))
    .filter(Boolean)
    .map((rec) => {
      const [hash, message] = rec.split('\x1f')
      return parse(hash!, message ?? '')
    })
    .filter((c): c is Commit => c !== undefined)
  const releasable = commits.filter((c) => c.breaking || SECTIONS.some(([type]) => type === c.type))
  if (!releasable.length) throw new ReleaseError('NOTHING_TO_RELEASE', `no feat, fix, perf or breaking commit since ${previous ? `v${previous}` : 'the start'}`)

  const version = last ? bump(last, releasable) : '0.1.0'
  const sections: string[] = []
  const breaking = releasable.filter((c) => c.breaking)
  if (breaking.length) sections.push(`### ⚠ BREAKING CHANGES\n\n${breaking.map((c) => entry(c, c.breaking!)).join('\n')}\n`)
  for (const [type, title] of SECTIONS) {
    const of = releasable.filter((c) => c.type === type)
    if (of.length) sections.push(`### ${title}\n\n${of.map((c) => entry(c, c.subject)).join('\n')}\n`)
  }
  const notes = `## ${version} (${date})\n\n${sections.join('\n')}`
  if (dryRun) return { version, previous, notes }

  const file = join(dir, 'CHANGELOG.md')
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  const rest = existing?.replace(/^# Changelog\n+/, '') ?? ''
  await writeFile(file, `# Changelog\n\n${notes}${rest ? `\n${rest}` : ''}`)
  await git(dir, 'add', 'CHANGELOG.md')
  await git(dir, 'commit', '--quiet', '-m', `chore(release): ${version}`)
  await git(dir, 'tag', '-a', `v${version}`, '-m', `v${version}`)
  return { version, previous, notes }
}
