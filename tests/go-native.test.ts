import { chmodSync, chownSync, cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGoKata, type GoKataRun } from '../src/runner/go/go-test.ts'
import { trimRaceReport } from '../src/runner/go/race.ts'
import { findGo } from '../src/runner/go/toolchain.ts'
import { canIsolate, takePrincipal } from '../src/runner/privileges.ts'
import { ROOT, tmp as tmpDir } from './helpers.ts'

// The Go-native katas: hidden `_test.go` files run with `go test -race -json` over the
// learner's package. The first `-race` build of the standard library takes a minute or
// more on a cold cache; after it each run is a couple of seconds.
const SLOW = 240_000

interface GoKata {
  id: string
  dir: string
  /** The learner's file, the one the fixtures below replace. */
  file: string
  subtests: number
  /** Source that does not compile: the compiler's file:line:col must reach the learner. */
  broken: { source: string; at: RegExp }
  /** Source that hangs in every test. */
  hanging: string
  /** Source with a data race the hidden tests reach. */
  racy: string
}

const KATAS: GoKata[] = [
  {
    id: 'start/first-verdict',
    dir: '00-start/01-first-verdict',
    file: 'greet.go',
    subtests: 6,
    broken: { source: 'package firstverdict\n\nfunc Greet(name string) string {\n\treturn greeting\n}\n', at: /greet\.go:4:9: undefined: greeting/ },
    hanging: 'package firstverdict\n\nimport "time"\n\nfunc Greet(name string) string {\n\ttime.Sleep(time.Hour)\n\treturn ""\n}\n',
    // Counts calls in a package variable from a goroutine and from the caller, and waits for the
    // goroutine: the two writes are unordered, so the race is seen during the test, every run.
    racy: 'package firstverdict\n\nimport "strings"\n\nvar greeted int\n\nfunc Greet(name string) string {\n\tdone := make(chan bool)\n\tgo func() { greeted++; done <- true }()\n\tgreeted++\n\t<-done\n\tname = strings.TrimSpace(name)\n\tif name == "" {\n\t\tname = "world"\n\t}\n\treturn "Hello, " + name + "!"\n}\n',
  },
  {
    id: 'core/sync',
    dir: '01-core/08-sync',
    file: 'counter.go',
    subtests: 3,
    broken: { source: 'package counter\n\ntype Counter struct{ n int }\n\nfunc (c *Counter) Inc() { c.n += "1" }\n\nfunc (c *Counter) Value() int { return c.n }\n', at: /counter\.go:5:\d+: .*mismatched types|counter\.go:5:\d+: cannot convert/ },
    hanging: 'package counter\n\nimport "time"\n\ntype Counter struct{ n int }\n\nfunc (c *Counter) Inc() { time.Sleep(time.Hour) }\n\nfunc (c *Counter) Value() int { return c.n }\n',
    racy: 'package counter\n\ntype Counter struct{ n int }\n\nfunc (c *Counter) Inc() { c.n++ }\n\nfunc (c *Counter) Value() int { return c.n }\n',
  },
]

const scratch: string[] = []
const tmp = (prefix: string) => {
  const dir = tmpDir(prefix)
  scratch.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

const go = findGo()
const title = go || process.env.CI ? 'Go-native grading' : 'Go-native grading (skipped: the go command is not installed; CI requires it)'

describe.skipIf(!go && !process.env.CI)(title, () => {
  it('finds the Go toolchain (the Go track needs it)', () => {
    expect(go, 'no `go` on PATH nor in /usr/local/go/bin').toBeDefined()
  })

  for (const kata of KATAS) {
    describe(kata.id, () => {
      const grade = (side: 'exercises' | 'solutions', extra: Partial<GoKataRun> = {}) =>
        runGoKata({
          id: kata.id,
          target: side,
          packageDir: join(ROOT, side, kata.dir, 'go'),
          testsDir: join(ROOT, 'harness', kata.dir, 'go'),
          budgetMs: 150_000,
          ...extra,
        })
      const withSource = (source: string, extra: Partial<GoKataRun> = {}) => {
        const file = join(tmp('roadmap-go-fixture-'), kata.file)
        writeFileSync(file, source)
        return grade('solutions', { target: 'overlay', replace: { [kata.file]: file }, ...extra })
      }

      it('passes the reference solution, each subtest reported', { timeout: SLOW }, async () => {
        const r = await grade('solutions')
        expect(r.message).toBeUndefined()
        expect(r.verdict).toBe('pass')
        expect(r.tests).toHaveLength(kata.subtests)
        for (const t of r.tests) {
          expect(t.status).toBe('pass')
          expect(t.name).toMatch(/^Test\w+ > \S+$/)
        }
        expect(r.score).toBe(r.points)
      })

      it('fails the starter, saying what to fix', { timeout: SLOW }, async () => {
        const r = await grade('exercises')
        expect(r.verdict).toBe('fail')
        const failed = r.tests.filter((t) => t.status === 'fail')
        expect(failed.length).toBeGreaterThan(0)
        for (const t of failed) expect(t.message).toMatch(/_test\.go:\d+: .*want/)
      })

      const mutantsDir = join(ROOT, 'harness', kata.dir, 'go-mutants')
      const mutants = readdirSync(mutantsDir)
      it('has at least three mutants', () => expect(mutants.length).toBeGreaterThanOrEqual(3))
      for (const mutant of mutants) {
        it(`rejects the mutant ${mutant}`, { timeout: SLOW }, async () => {
          const files = readdirSync(join(mutantsDir, mutant))
          const r = await grade('solutions', { target: 'overlay', replace: Object.fromEntries(files.map((f) => [f, join(mutantsDir, mutant, f)])) })
          expect(r.verdict, JSON.stringify(r.tests)).toBe('fail')
          expect(r.score).toBe(0)
        })
      }

      it('reports a build error as an error with file:line:col', { timeout: SLOW }, async () => {
        const r = await withSource(kata.broken.source)
        expect(r.verdict).toBe('error')
        expect(r.tests).toEqual([])
        expect(r.message).toMatch(kata.broken.at)
        // The learner sees the file they edit, not the grader's scratch path.
        expect(r.message).not.toMatch(/roadmap-go-fixture-/)
      })

      it('reports a data race as a failure that shows the race', { timeout: SLOW }, async () => {
        const r = await withSource(kata.racy)
        expect(r.verdict).toBe('fail')
        // Where the race is reported depends on when the goroutine runs (during a test, or after
        // the last one): the report, pointing into the learner's file, must be shown either way.
        const reports = [r.message ?? '', ...r.tests.map((t) => t.message ?? '')].join('\n')
        expect(reports, JSON.stringify(r)).toMatch(new RegExp(`WARNING: DATA RACE[\\s\\S]*${kata.file.replace('.', '\\.')}:\\d+`))
        // Each test that failed for the race shows a report that points into the learner's file.
        const raced = r.tests.filter((t) => t.status === 'fail' && t.message?.includes('race detected during execution of test'))
        for (const t of raced) {
          expect(t.message).toMatch(/WARNING: DATA RACE/)
          expect(t.message).toMatch(new RegExp(`^\\s+${kata.file.replace('.', '\\.')}:\\d+$`, 'm'))
        }
      })

      it('stops a hanging test at the budget: timeout', { timeout: SLOW }, async () => {
        const budgetMs = 5000
        const started = Date.now()
        const r = await withSource(kata.hanging, { budgetMs })
        expect(r.verdict).toBe('timeout')
        expect(Date.now() - started).toBeLessThan(budgetMs + 5000)
        expect(r.score).toBe(0)
      })
    })
  }

  it("trims a race report whose separators went to another test's output, frames indented as usual", () => {
    const raw = ['testing.go:1712: race detected during execution of test', 'WARNING: DATA RACE', 'Read at 0x00c by goroutine 11:', 'roadmap/start/firstverdict.Greet()', 'greet.go:10 +0xaa', 'testing.tRunner()', '/usr/local/go/src/testing/testing.go:2036 +0x21c', 'Previous write at 0x00c by goroutine 15:', 'roadmap/start/firstverdict.Greet.func1()', 'greet.go:9 +0x48']
    // Both separators elsewhere, or only the closing one here (CI saw the report left untrimmed then).
    for (const lines of [raw, [...raw, '==================']]) expect(trimRaceReport(lines.join('\n')).split('\n')).toEqual([
      'testing.go:1712: race detected during execution of test',
      'WARNING: DATA RACE',
      'Read at 0x00c by goroutine 11:',
      'roadmap/start/firstverdict.Greet()',
      '      greet.go:10',
      'Previous write at 0x00c by goroutine 15:',
      'roadmap/start/firstverdict.Greet.func1()',
      '      greet.go:9',
    ])
  })

  describe('graded code that tries to pass without passing', () => {
    const kata = KATAS[0]!
    const testsDir = join(ROOT, 'harness', kata.dir, 'go')

    it("drops the learner's own tests: their TestMain cannot skip the hidden ones", { timeout: SLOW }, async () => {
      const pkg = tmp('roadmap-go-learner-')
      cpSync(join(ROOT, 'exercises', kata.dir, 'go'), pkg, { recursive: true })
      writeFileSync(join(pkg, 'mine_test.go'), 'package firstverdict\n\nimport (\n\t"os"\n\t"testing"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(0) }\n')
      // Same name as the hidden file: the hidden one is what runs.
      writeFileSync(join(pkg, 'greet_test.go'), 'package firstverdict\n\nimport "testing"\n\nfunc TestGreet(t *testing.T) {}\n')
      const r = await runGoKata({ id: kata.id, target: 'exercises', packageDir: pkg, testsDir, budgetMs: 150_000 })
      expect(r.verdict).toBe('fail')
      expect(r.tests).toHaveLength(kata.subtests)
    })

    it('fails a race of a goroutine that outlives its test, with the report', { timeout: SLOW }, async () => {
      const file = join(tmp('roadmap-go-fixture-'), kata.file)
      writeFileSync(file, 'package firstverdict\n\nimport (\n\t"strings"\n\t"time"\n)\n\nvar greeted int\n\nfunc Greet(name string) string {\n\tgo func() { time.Sleep(300 * time.Millisecond); greeted++ }()\n\tgreeted++\n\tif name = strings.TrimSpace(name); name == "" {\n\t\tname = "world"\n\t}\n\treturn "Hello, " + name + "!"\n}\n')
      const r = await runGoKata({ id: kata.id, target: 'overlay', packageDir: join(ROOT, 'solutions', kata.dir, 'go'), testsDir, replace: { [kata.file]: file }, budgetMs: 150_000 })
      // Where the race lands depends on timing (a test still running, or none): a 'fail' with the report either way.
      expect(r.verdict).toBe('fail')
      const reports = [r.message ?? '', ...r.tests.map((t) => t.message ?? '')].join('\n')
      expect(reports).toMatch(/WARNING: DATA RACE[\s\S]*greet\.go:\d+/)
      expect(r.score).toBe(0)
    })

    it("never shows graded code the grader's environment (tokens, CI secrets)", { timeout: SLOW }, async () => {
      const file = join(tmp('roadmap-go-fixture-'), kata.file)
      writeFileSync(file, 'package firstverdict\n\nimport "os"\n\nfunc Greet(name string) string { return "Hello, " + os.Getenv("ROADMAP_GO_SECRET") + os.Getenv("GITHUB_TOKEN") + "!" }\n')
      const saved = { s: process.env.ROADMAP_GO_SECRET, t: process.env.GITHUB_TOKEN }
      process.env.ROADMAP_GO_SECRET = 'secret-of-the-grader-1'
      process.env.GITHUB_TOKEN = 'ghs_secret-of-the-grader-2'
      try {
        const r = await runGoKata({ id: kata.id, target: 'overlay', packageDir: join(ROOT, 'solutions', kata.dir, 'go'), testsDir, replace: { [kata.file]: file }, budgetMs: 150_000 })
        // The failures show what Greet returned: "Hello, !" with nothing of the grader's in it.
        expect(r.verdict).toBe('fail')
        expect(JSON.stringify(r)).not.toMatch(/secret-of-the-grader/)
        expect(JSON.stringify(r)).toContain('Hello, !')
      } finally {
        for (const [k, v] of [['ROADMAP_GO_SECRET', saved.s], ['GITHUB_TOKEN', saved.t]] as const) {
          if (v === undefined) delete process.env[k]
          else process.env[k] = v
        }
      }
    })

    it.runIf(canIsolate())('runs graded code as a user of its own: not root, solutions hidden, no host network', { timeout: SLOW }, async () => {
      const solution = join(ROOT, 'solutions', kata.dir, 'go', kata.file)
      const pkg = tmp('roadmap-go-isolated-')
      const principal = takePrincipal([join(ROOT, 'solutions'), join(ROOT, 'harness')])
      try {
        // What an attacker reports back through the failure message: its uid, the solution, the host's PostgreSQL.
        writeFileSync(
          join(pkg, kata.file),
          `package firstverdict\n\nimport (\n\t"fmt"\n\t"net"\n\t"os"\n\t"time"\n)\n\nfunc Greet(name string) string {\n\tb, rerr := os.ReadFile(${JSON.stringify(solution)})\n\t_, derr := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second)\n\treturn fmt.Sprintf("uid=%d read=%d %v dial=%v", os.Getuid(), len(b), rerr, derr)\n}\n`,
        )
        cpSync(join(ROOT, 'exercises', kata.dir, 'go', 'go.mod'), join(pkg, 'go.mod'))
        for (const f of ['', kata.file, 'go.mod']) {
          chownSync(join(pkg, f), 0, principal.gid)
          chmodSync(join(pkg, f), f ? 0o640 : 0o750)
        }
        const r = await runGoKata({ id: kata.id, target: 'submission', packageDir: pkg, testsDir, budgetMs: 150_000, principal: { ...principal, offline: true } })
        expect(r.verdict).toBe('fail')
        const said = r.tests.map((t) => t.message ?? '').join('\n')
        expect(said).toMatch(new RegExp(`uid=${principal.uid} read=0 open .*permission denied dial=.*(refused|unreachable)`))
      } finally {
        principal.release()
      }
    })

    // Without the refusal this passes: the forged lines are the test binary's own framing, and the exit is clean.
    it('refuses, before running it, code that could end the run with a clean exit (os.Exit under another name)', { timeout: SLOW }, async () => {
      const pkg = tmp('roadmap-go-exit-')
      cpSync(join(ROOT, 'exercises', kata.dir, 'go'), pkg, { recursive: true })
      writeFileSync(
        join(pkg, kata.file),
        'package firstverdict\n\nimport (\n\t"fmt"\n\tquit "os"\n)\n\nfunc init() {\n\tfmt.Print("\\x16--- PASS: TestGreet (0.00s)\\n\\x16PASS\\n")\n\tquit.Exit(0)\n}\n\nfunc Greet(name string) string { return "" }\n',
      )
      const r = await runGoKata({ id: kata.id, target: 'submission', packageDir: pkg, testsDir, budgetMs: 150_000 })
      expect(r.verdict).toBe('error')
      expect(r.message).toMatch(/greet\.go:10: a call of Exit/)
    })

    it("does not count a result printed by the code under test: a test reported twice fails, saying so", { timeout: SLOW }, async () => {
      const file = join(tmp('roadmap-go-fixture-'), kata.file)
      // Right answers, plus a forged line in the format go test -json reads results from.
      writeFileSync(file, 'package firstverdict\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc Greet(name string) string {\n\tfmt.Print("\\x16--- PASS: TestGreet/greets_a_person_by_name (0.00s)\\n")\n\tif name = strings.TrimSpace(name); name == "" {\n\t\tname = "world"\n\t}\n\treturn "Hello, " + name + "!"\n}\n')
      const r = await runGoKata({ id: kata.id, target: 'overlay', packageDir: join(ROOT, 'solutions', kata.dir, 'go'), testsDir, replace: { [kata.file]: file }, budgetMs: 150_000 })
      expect(r.verdict).toBe('fail')
      expect(r.tests.find((t) => t.name === 'TestGreet > greets_a_person_by_name')?.message).toMatch(/reported more than once/)
    })

    it('does not pass code that ends the test binary before any test runs', { timeout: SLOW }, async () => {
      const file = join(tmp('roadmap-go-fixture-'), kata.file)
      writeFileSync(file, 'package firstverdict\n\nimport "os"\n\nfunc init() { os.Exit(0) }\n\nfunc Greet(name string) string { return "" }\n')
      const r = await runGoKata({ id: kata.id, target: 'overlay', packageDir: join(ROOT, 'solutions', kata.dir, 'go'), testsDir, replace: { [kata.file]: file }, budgetMs: 150_000 })
      // Refused before it runs; were it run, the verdict would still need every hidden test seen passing ("never ran").
      expect(r.verdict).toBe('error')
      expect(r.message).toMatch(/a call of Exit|never ran: TestGreet/)
    })
  })
})
