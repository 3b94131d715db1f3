// A race report lists each goroutine's stack, runtime and testing frames included, and a
// test can print several: the learner needs the first one, its two accesses in their own
// files and where the goroutines started.
const FILE_LINE = /^(\s*)(\S+\.go:\d+)(?: \+0x[0-9a-f]+)?$/
// A frame's file:line, indented as the race detector indents it (test2json can even out the indentation).
const FRAME_INDENT = '      '
const GOROUTINE_HEADER = /^\s*Goroutine \d+ \(.*\) created at:$/
const SEPARATOR = /^\s*={10,}\s*$/

/** Frames outside the learner's package dropped (after relativizing, their paths are the absolute ones). */
function learnerFrames(report: string[]): string[] {
  const kept: string[] = []
  for (let i = 0; i < report.length; i++) {
    const file = FILE_LINE.exec(report[i + 1] ?? '')
    if (file) {
      // A frame: the function line, then its file:line.
      if (!file[2]!.startsWith('/')) kept.push(report[i]!, `${file[1] || FRAME_INDENT}${file[2]}`)
      i++
    } else if (report[i]!.trim()) kept.push(report[i]!)
  }
  return kept.filter((l, i) => !GOROUTINE_HEADER.test(l) || FILE_LINE.test(kept[i + 2] ?? ''))
}

/** A test's message with its first data race report trimmed to the learner's frames and the others counted. */
export function trimRaceReport(message: string): string {
  if (!message.includes('WARNING: DATA RACE')) return message
  const other: string[] = []
  const reports: string[][] = []
  let inReport = false
  for (const line of message.split('\n')) {
    if (SEPARATOR.test(line)) {
      inReport = !inReport
      if (inReport) reports.push([])
    } else if (inReport) reports.at(-1)!.push(line)
    else other.push(line)
  }
  // The separators can reach another test's output than the report's lines (one of a pair, or
  // both): a pair that brackets no warning is no report, and the report is then all from the
  // warning on.
  const bracketed = reports.filter((r) => r.some((l) => l.includes('WARNING: DATA RACE')))
  for (const r of reports) if (!bracketed.includes(r)) other.push(...r)
  if (!bracketed.length) {
    const at = other.findIndex((l) => l.includes('WARNING: DATA RACE'))
    bracketed.push(other.splice(at))
  }
  const more = bracketed.length > 1 ? [`(and ${bracketed.length - 1} more data race report${bracketed.length > 2 ? 's' : ''} like it)`] : []
  // The test's own lines first ("race detected during execution of test"), then the report.
  return [...other.map((l) => l.trimStart()), ...learnerFrames(bracketed[0] ?? []), ...more].join('\n')
}

const RACE_FAILURE = 'race detected during execution of test'

/** The first race report of a run's output, separators included; undefined when there is none. */
function firstRaceReport(output: string): string | undefined {
  const lines = output.split('\n')
  const start = lines.findIndex((l, i) => SEPARATOR.test(l) && lines[i + 1]?.includes('WARNING: DATA RACE'))
  if (start < 0) return undefined
  const end = lines.findIndex((l, i) => i > start && SEPARATOR.test(l))
  return lines.slice(start, end < 0 ? undefined : end + 1).join('\n')
}

/**
 * A test fails with "race detected" while the report may have been printed during
 * another test (a goroutine that outlived the test that started it): the failure then
 * carries the run's first report, so the learner sees the race where the test failed.
 */
export function withRaceReport(message: string, runOutput: string): string {
  if (!message.includes(RACE_FAILURE) || message.includes('WARNING: DATA RACE')) return message
  const report = firstRaceReport(runOutput)
  return report ? `${message}\n${report}` : message
}
