import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { reportMergeCommand } from '../src/commands/report-merge.ts'
import { EXIT } from '../src/errors.ts'
import { memoryOutput } from '../src/report/output.ts'
import { REPORT_FILE } from '../src/report/report-file.ts'
import { roomyDemoRoot, runCli, tmp } from './helpers.ts'

let root = ''
beforeAll(() => {
  root = roomyDemoRoot()
  // Graded code cannot skip a test (the runner's hardening), so this copy of the demo suite
  // skips one itself: the merge must carry a skipped test through.
  const suite = join(root, 'harness/00-demo/01-add/kata.test.ts')
  writeFileSync(suite, `${readFileSync(suite, 'utf8')}\nit.skip('is left out of this run', () => {})\n`)
})

/** Timings differ from run to run; everything else must not. */
const untimed = (text: string) =>
  text
    .replace(/"(duration_ms|durationMs)": \d+/g, '"$1": 0')
    .replace(/"(started_at|startedAt|finishedAt)": "[^"]*"/g, '"$1": ""')
    .replace(/ time="[^"]*"/g, '')
const read = (dir: string, file: string) => untimed(readFileSync(join(dir, file), 'utf8'))

describe('report merge is lossless', () => {
  it('writes what one unsharded grade writes: diffs, output, skipped tests, step summary', { timeout: 600_000 }, async () => {
    // One kata of each kind: a skipped test (add), a failure with a diff and output (greet), a pass (double).
    const sub = tmp('roadmap-merge-sub-')
    cpSync(join(root, 'exercises'), join(sub, 'exercises'), { recursive: true })
    cpSync(join(root, 'solutions/00-demo/01-add'), join(sub, 'exercises/00-demo/01-add'), { recursive: true })
    writeFileSync(join(sub, 'exercises/00-demo/02-greet/greet.ts'), "export function greet(name: string): string { console.log('greeting', name); return `Hello, ${name}` }\n")
    cpSync(join(root, 'solutions/00-demo/03-double'), join(sub, 'exercises/00-demo/03-double'), { recursive: true })

    const whole = tmp('roadmap-merge-whole-')
    const wholeSummary = join(whole, '..', `${whole.split('/').pop()}.summary.md`)
    const g = await runCli(['grade', sub, '--root', root, '--out', whole, '--min-score', '0'], { GITHUB_STEP_SUMMARY: wholeSummary })
    expect(g.code, g.stderr).toBe(0)

    const shards = [1, 2].map(() => tmp('roadmap-merge-shard-'))
    for (const [i, d] of shards.entries()) {
      const s = await runCli(['grade', sub, '--root', root, '--out', d, '--shard', `${i + 1}/2`, '--min-score', '0'], { GITHUB_STEP_SUMMARY: join(d, '..', `${d.split('/').pop()}.summary.md`) })
      expect(s.code, s.stderr).toBe(0)
    }

    // In process, through the one output writer: the command prints nothing to the real streams.
    const merged = tmp('roadmap-merge-out-')
    const mergedSummary = join(merged, '..', `${merged.split('/').pop()}.summary.md`)
    const out = memoryOutput()
    process.env.GITHUB_STEP_SUMMARY = mergedSummary
    try {
      // One shard named by its folder, the other by its results.json, as CI may pass them.
      const code = await reportMergeCommand([shards[0]!, join(shards[1]!, 'results.json')], { root, out: merged, minScore: '0', output: out })
      expect(code).toBe(EXIT.ok)
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY
    }
    expect(out.stdout).toMatch(/^Merged 2 report\(s\), 3 katas: \d+\/20/)

    for (const file of ['results.json', 'junit.xml', REPORT_FILE]) expect(read(merged, file), file).toBe(read(whole, file))
    expect(readFileSync(mergedSummary, 'utf8')).toBe(readFileSync(wholeSummary, 'utf8'))

    // What the old merge lost is there to compare: a diff in JUnit, skipped tests, a test's output.
    const junit = readFileSync(join(merged, 'junit.xml'), 'utf8')
    expect(junit).toMatch(/Hello, Ada/)
    expect(junit).toMatch(/<skipped\/>/)
    const model = JSON.parse(readFileSync(join(merged, REPORT_FILE), 'utf8')).report
    const byId = Object.fromEntries(model.results.map((r: { id: string }) => [r.id, r]))
    expect(byId['demo/add'].tests.map((t: { status: string }) => t.status)).toEqual(['pass', 'pass', 'skip'])
    expect(byId['demo/greet'].tests[0]).toMatchObject({ status: 'fail', diff: expect.stringContaining('Hi, Ada'), output: expect.stringContaining('greeting Ada') })
  })

  it('refuses a shard folder without the report model, naming the file', async () => {
    const empty = tmp('roadmap-merge-empty-')
    const r = await runCli(['report', 'merge', empty, '--root', root, '--out', tmp('roadmap-merge-x-')])
    expect(r.code).toBe(EXIT.usage)
    expect(r.stderr).toContain(join(empty, REPORT_FILE))
  })
})
