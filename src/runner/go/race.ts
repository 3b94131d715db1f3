// A race report lists each goroutine's stack, runtime and testing frames included; the
// learner needs the two accesses in their own files and where the goroutines started.
const FILE_LINE = /^(\s+)(\S+\.go:\d+)(?: \+0x[0-9a-f]+)?$/
const GOROUTINE_HEADER = /^\s*Goroutine \d+ \(.*\) created at:$/

/** A data race report with the frames outside the learner's package dropped (their paths stay absolute). */
export function trimRaceReport(message: string): string {
  if (!message.includes('WARNING: DATA RACE')) return message
  const lines = message.split('\n')
  const kept: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const file = FILE_LINE.exec(lines[i + 1] ?? '')
    if (file) {
      // A frame: the function line, then its file:line.
      if (!file[2]!.startsWith('/')) kept.push(line, `${file[1]}${file[2]}`)
      i++
      continue
    }
    if (/^=+$/.test(line.trim())) continue
    kept.push(line)
  }
  return kept.filter((l, i) => !GOROUTINE_HEADER.test(l) || FILE_LINE.test(kept[i + 2] ?? '')).join('\n')
}
