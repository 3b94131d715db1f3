import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeThrown } from '#support/senior'
import { release, ReleaseError } from '@kata/senior/release'

const run = promisify(execFile)
const dirs: string[] = []
const DATE = '2026-03-02'

interface Result {
  version: string
  previous: string | null
  notes: string
}

beforeAll(async () => {
  try {
    await run('git', ['--version'])
  } catch {
    throw new Error('this kata runs git for real, and `git` is not on the PATH: install git and save to rerun')
  }
})

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd: dir })).stdout.trim()
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'roadmap-release-'))
  dirs.push(d)
  return d
}

type Step = string | { tag: string; annotated?: boolean } | { branch: string } | { checkout: string } | { merge: string }

/** A real repository on `main` built from steps: a string is a commit with that message. */
async function repo(steps: Step[]): Promise<{ dir: string; hashes: Map<string, string> }> {
  const dir = await tempDir()
  await git(dir, 'init', '--quiet')
  await git(dir, 'symbolic-ref', 'HEAD', 'refs/heads/main')
  for (const [k, v] of [
    ['user.name', 'Release Bot'],
    ['user.email', 'bot@example.com'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgSign', 'false'],
  ]) {
    await git(dir, 'config', k!, v!)
  }
  const hashes = new Map<string, string>()
  let n = 0
  for (const step of steps) {
    if (typeof step === 'string') {
      await writeFile(join(dir, `file${++n}.txt`), `change ${n}\n`)
      await git(dir, 'add', '.')
      await git(dir, 'commit', '--quiet', '-m', step)
      hashes.set(step.split('\n')[0]!, await git(dir, 'rev-parse', 'HEAD'))
    } else if ('tag' in step) {
      if (step.annotated === false) await git(dir, 'tag', step.tag)
      else await git(dir, 'tag', '-a', step.tag, '-m', step.tag)
    } else if ('branch' in step) {
      await git(dir, 'checkout', '--quiet', '-b', step.branch)
    } else if ('checkout' in step) {
      await git(dir, 'checkout', '--quiet', step.checkout)
    } else {
      await git(dir, 'merge', '--quiet', '--no-ff', '-m', `Merge branch '${step.merge}'`, step.merge)
    }
  }
  return { dir, hashes }
}

const short = (hashes: Map<string, string>, subject: string) => hashes.get(subject)!.slice(0, 7)

async function snapshot(dir: string) {
  const changelog = await readFile(join(dir, 'CHANGELOG.md'), 'utf8').catch(() => null)
  return { head: await git(dir, 'rev-parse', 'HEAD'), tags: await git(dir, 'tag', '--list'), status: await git(dir, 'status', '--porcelain'), changelog }
}

async function released(dir: string, what: string, dryRun?: boolean): Promise<Result> {
  try {
    return (await release(dryRun === undefined ? { dir, date: DATE } : { dir, date: DATE, dryRun })) as Result
  } catch (err) {
    return expect.fail(`${what}: release(${dryRun ? '{ dir, date, dryRun: true }' : '{ dir, date }'}) threw ${describeThrown(err)}`)
  }
}

async function refused(dir: string, what: string): Promise<string | undefined> {
  try {
    const r = await release({ dir, date: DATE })
    return expect.fail(`${what}: release() should throw a ReleaseError, but returned ${JSON.stringify(r)}`)
  } catch (err) {
    expect(err instanceof ReleaseError, `${what}: release() should throw a ReleaseError, but threw ${describeThrown(err)}`).toBe(true)
    return (err as { code?: string }).code
  }
}

/** What a finished release must leave behind: one commit with the changelog, an annotated tag on it, a clean tree. */
async function expectReleased(dir: string, before: string, version: string, changelog: string, what: string) {
  const head = await git(dir, 'rev-parse', 'HEAD')
  expect(await git(dir, 'rev-parse', 'HEAD~1'), `${what}: the release commit's parent should be the HEAD before the release`).toBe(before)
  expect(await git(dir, 'log', '-1', '--format=%s'), `${what}: message of the release commit`).toBe(`chore(release): ${version}`)
  expect(await git(dir, 'show', '--name-only', '--format=', 'HEAD'), `${what}: files changed by the release commit`).toBe('CHANGELOG.md')
  expect(await git(dir, 'cat-file', '-t', `v${version}`).catch(() => 'missing'), `${what}: the tag v${version} (\`git cat-file -t v${version}\`: "tag" is an annotated tag)`).toBe('tag')
  expect(await git(dir, 'rev-parse', `v${version}^{commit}`), `${what}: the commit the tag v${version} points at (should be the release commit)`).toBe(head)
  expect(await git(dir, 'status', '--porcelain'), `${what}: \`git status --porcelain\` after the release`).toBe('')
  expect(await readFile(join(dir, 'CHANGELOG.md'), 'utf8'), `${what}: CHANGELOG.md after the release`).toBe(changelog)
}

describe('release({ dir, date }): the version, the notes, the commit and the tag', () => {
  it('a feat since the last tag bumps the minor version; the section goes on top of CHANGELOG.md', async () => {
    const { dir, hashes } = await repo([
      'feat: first feature',
      { tag: 'v1.2.0' },
      'feat(orders): refunds for cancelled orders',
      'fix: an empty cart no longer crashes the checkout',
      'docs: explain refunds',
      'chore(deps): bump pg',
      'feat(api): list endpoints accept ?limit=',
      'refactor: split the checkout service',
      'test: cover refunds',
    ])
    await writeFile(join(dir, 'CHANGELOG.md'), '# Changelog\n\n## 1.2.0 (2026-01-10)\n\n### Features\n\n- first feature (0000000)\n')
    await git(dir, 'add', 'CHANGELOG.md')
    await git(dir, 'commit', '--quiet', '-m', 'docs: changelog')
    const before = await git(dir, 'rev-parse', 'HEAD')
    const notes = [
      '## 1.3.0 (2026-03-02)',
      '',
      '### Features',
      '',
      `- **orders:** refunds for cancelled orders (${short(hashes, 'feat(orders): refunds for cancelled orders')})`,
      `- **api:** list endpoints accept ?limit= (${short(hashes, 'feat(api): list endpoints accept ?limit=')})`,
      '',
      '### Bug Fixes',
      '',
      `- an empty cart no longer crashes the checkout (${short(hashes, 'fix: an empty cart no longer crashes the checkout')})`,
      '',
    ].join('\n')
    const r = await released(dir, 'v1.2.0, then feat, fix, docs, chore, feat, refactor, test')
    expect(r, 'what release() returned').toEqual({ version: '1.3.0', previous: '1.2.0', notes })
    await expectReleased(dir, before, '1.3.0', `# Changelog\n\n${notes}\n## 1.2.0 (2026-01-10)\n\n### Features\n\n- first feature (0000000)\n`, 'the 1.3.0 release')
  })

  it('only fixes and perf since the last tag bump the patch version; other types and free-form messages stay out', async () => {
    const { dir, hashes } = await repo([
      'feat: start',
      { tag: 'v2.4.9' },
      'perf(search): cache the query plan',
      'Update README.md',
      'WIP',
      'ci: run the tests on Node 24',
      'fix(auth): expired tokens get 401, not 500',
      'style: format',
      'build: pin the base image',
    ])
    const before = await git(dir, 'rev-parse', 'HEAD')
    const notes = [
      '## 2.4.10 (2026-03-02)',
      '',
      '### Bug Fixes',
      '',
      `- **auth:** expired tokens get 401, not 500 (${short(hashes, 'fix(auth): expired tokens get 401, not 500')})`,
      '',
      '### Performance',
      '',
      `- **search:** cache the query plan (${short(hashes, 'perf(search): cache the query plan')})`,
      '',
    ].join('\n')
    const r = await released(dir, 'v2.4.9, then perf, free-form messages, ci, fix, style, build')
    expect(r, 'what release() returned').toEqual({ version: '2.4.10', previous: '2.4.9', notes })
    await expectReleased(dir, before, '2.4.10', `# Changelog\n\n${notes}`, 'the 2.4.10 release (no CHANGELOG.md before: it is created)')
  })

  it('a breaking change ("!" or a BREAKING CHANGE: footer) bumps the major version and is listed first', async () => {
    const { dir, hashes } = await repo([
      'feat: start',
      { tag: 'v3.1.4' },
      'fix: typo in an error message',
      'feat(api)!: drop the v1 endpoints',
      'refactor(db): use bigint ids\n\nThe ids no longer fit in int.\n\nBREAKING CHANGE: ids in responses are strings now',
    ])
    const notes = [
      '## 4.0.0 (2026-03-02)',
      '',
      '### ⚠ BREAKING CHANGES',
      '',
      `- **api:** drop the v1 endpoints (${short(hashes, 'feat(api)!: drop the v1 endpoints')})`,
      `- **db:** ids in responses are strings now (${short(hashes, 'refactor(db): use bigint ids')})`,
      '',
      '### Features',
      '',
      `- **api:** drop the v1 endpoints (${short(hashes, 'feat(api)!: drop the v1 endpoints')})`,
      '',
      '### Bug Fixes',
      '',
      `- typo in an error message (${short(hashes, 'fix: typo in an error message')})`,
      '',
    ].join('\n')
    expect(await released(dir, 'v3.1.4, then fix, feat!, refactor with a BREAKING CHANGE footer'), 'what release() returned').toEqual({ version: '4.0.0', previous: '3.1.4', notes })
  })

  it('the first release (no version tag yet) is 0.1.0 and lists every commit', async () => {
    const { dir, hashes } = await repo(['chore: init', 'feat: the first endpoint', 'fix: its status code'])
    const before = await git(dir, 'rev-parse', 'HEAD')
    const notes = `## 0.1.0 (2026-03-02)\n\n### Features\n\n- the first endpoint (${short(hashes, 'feat: the first endpoint')})\n\n### Bug Fixes\n\n- its status code (${short(hashes, 'fix: its status code')})\n`
    expect(await released(dir, 'a repository without tags'), 'what release() returned').toEqual({ version: '0.1.0', previous: null, notes })
    await expectReleased(dir, before, '0.1.0', `# Changelog\n\n${notes}`, 'the first release')
  })

  it('the previous version is the highest vX.Y.Z tag reachable from HEAD: lightweight tags count; pre-releases and other branches do not', async () => {
    const { dir, hashes } = await repo([
      'feat: a',
      { tag: 'v1.9.0', annotated: false },
      'feat: b',
      { tag: 'v1.10.0', annotated: false },
      { branch: 'experiment' },
      'feat: experimental',
      { tag: 'v9.0.0' },
      { checkout: 'main' },
      { branch: 'feature/search' },
      'fix: search is case-insensitive',
      { checkout: 'main' },
      { merge: 'feature/search' },
      { tag: 'v1.11.0-rc.1' },
      'docs: notes',
    ])
    const r = await released(dir, 'tags v1.9.0, v1.10.0 (lightweight), v9.0.0 on an unmerged branch, v1.11.0-rc.1; a merged fix')
    expect([r.previous, r.version], '[previous, version] returned').toEqual(['1.10.0', '1.10.1'])
    expect(r.notes, 'notes: the fix from the merged branch, not the merge commit itself').toBe(`## 1.10.1 (2026-03-02)\n\n### Bug Fixes\n\n- search is case-insensitive (${short(hashes, 'fix: search is case-insensitive')})\n`)
  })
})

describe('release(): the checklist refuses and changes nothing', () => {
  it('refuses a working tree with changes (modified or untracked files): DIRTY', async () => {
    for (const [what, dirty] of [
      ['a modified tracked file', (dir: string) => writeFile(join(dir, 'file2.txt'), 'edited\n')],
      ['an untracked file', (dir: string) => writeFile(join(dir, 'notes.tmp'), 'scratch\n')],
      ['a staged file', async (dir: string) => {
        await writeFile(join(dir, 'staged.txt'), 'staged\n')
        await git(dir, 'add', 'staged.txt')
      }],
    ] as const) {
      const { dir } = await repo(['feat: a', { tag: 'v1.0.0' }, 'feat: b'])
      await dirty(dir)
      const before = await snapshot(dir)
      expect(await refused(dir, `a repository with ${what}`), `ReleaseError.code for a repository with ${what}`).toBe('DIRTY')
      expect(await snapshot(dir), `HEAD, tags, status and CHANGELOG.md after the refused release (${what})`).toEqual(before)
    }
  })

  it('refuses to release from a branch other than main: NOT_ON_MAIN', async () => {
    const { dir } = await repo(['feat: a', { tag: 'v1.0.0' }, { branch: 'feature/x' }, 'feat: b'])
    const before = await snapshot(dir)
    expect(await refused(dir, 'HEAD on the branch feature/x'), 'ReleaseError.code on the branch feature/x').toBe('NOT_ON_MAIN')
    expect(await snapshot(dir), 'HEAD, tags, status and CHANGELOG.md after the refused release').toEqual(before)
  })

  it('refuses when nothing since the last tag is worth a release: NOTHING_TO_RELEASE', async () => {
    const { dir } = await repo(['feat: a', { tag: 'v1.0.0' }, 'docs: typo', 'chore: tidy', 'Merge stuff'])
    const before = await snapshot(dir)
    expect(await refused(dir, 'only docs, chore and a free-form commit since v1.0.0'), 'ReleaseError.code with only docs and chore since the tag').toBe('NOTHING_TO_RELEASE')
    expect(await snapshot(dir), 'HEAD, tags, status and CHANGELOG.md after the refused release').toEqual(before)
  })

  it('refuses a folder that is not a git repository: NOT_A_REPO', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'README.md'), '# not a repo\n')
    expect(await refused(dir, 'a plain folder'), 'ReleaseError.code for a plain folder').toBe('NOT_A_REPO')
  })

  it('checks the branch before the working tree, and both before looking at the commits', async () => {
    const { dir } = await repo(['feat: a', { tag: 'v1.0.0' }, { branch: 'hotfix' }, 'docs: only docs'])
    await writeFile(join(dir, 'dirty.txt'), 'x\n')
    expect(await refused(dir, 'on the branch hotfix, with an untracked file, nothing to release'), 'ReleaseError.code when every check fails').toBe('NOT_ON_MAIN')
    await git(dir, 'checkout', '--quiet', 'main')
    expect(await refused(dir, 'on main, with an untracked file, nothing to release'), 'ReleaseError.code when the tree is dirty and there is nothing to release').toBe('DIRTY')
  })
})

describe('release(): safe to run again', () => {
  it('dryRun: true works everything out and changes nothing', async () => {
    const { dir, hashes } = await repo(['feat: a', { tag: 'v0.3.0' }, 'fix: b'])
    const before = await snapshot(dir)
    const r = await released(dir, 'v0.3.0, then a fix', true)
    expect(r, 'what release({ dryRun: true }) returned').toEqual({ version: '0.3.1', previous: '0.3.0', notes: `## 0.3.1 (2026-03-02)\n\n### Bug Fixes\n\n- b (${short(hashes, 'fix: b')})\n` })
    expect(await snapshot(dir), 'HEAD, tags, status and CHANGELOG.md after a dry run').toEqual(before)
  })

  it('a second release right after the first has nothing to release, and the one after new work continues from it', async () => {
    const { dir } = await repo(['feat: a', { tag: 'v1.0.0' }, 'feat: b'])
    expect((await released(dir, 'first run')).version, 'version of the first run').toBe('1.1.0')
    expect(await refused(dir, 'a second run right after the release'), 'ReleaseError.code of a second run right after the release').toBe('NOTHING_TO_RELEASE')
    await writeFile(join(dir, 'more.txt'), 'more\n')
    await git(dir, 'add', 'more.txt')
    await git(dir, 'commit', '--quiet', '-m', 'fix: c')
    const r = await released(dir, 'a run after one more fix')
    expect([r.previous, r.version], '[previous, version] of the run after one more fix').toEqual(['1.1.0', '1.1.1'])
    const changelog = await readFile(join(dir, 'CHANGELOG.md'), 'utf8')
    expect(changelog.match(/^## .+$/gm), 'release headings in CHANGELOG.md, newest first').toEqual(['## 1.1.1 (2026-03-02)', '## 1.1.0 (2026-03-02)'])
  })
})
