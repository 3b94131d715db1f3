import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

interface StackCarrier {
  stack?: unknown
}

const FRAME = /(?:\(|\s)((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?\s*$/

/**
 * The learner's own place in an error's stack: the first frame inside the graded
 * folder, as "at exercises/…/file.ts:12:5" and the lines around it, with a marker.
 * Undefined when the error did not pass through the learner's code.
 */
export function learnerFrame(err: StackCarrier, learnerRoot: string): string | undefined {
  for (const line of String(err.stack ?? '').split('\n')) {
    const m = FRAME.exec(line)
    if (!m) continue
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!
    if (!file.startsWith(learnerRoot + sep) || file.includes(`${sep}node_modules${sep}`)) continue
    const at = Number(m[2])
    const col = Number(m[3])
    const shown = relative(dirname(learnerRoot), file)
    return `at ${shown}:${at}:${col}${codeFrame(file, at, col)}`
  }
  return undefined
}

/** Two lines either side of `line`, numbered, with a caret under the column. */
function codeFrame(file: string, line: number, col: number): string {
  if (!existsSync(file)) return ''
  const lines = readFileSync(file, 'utf8').split('\n')
  if (line < 1 || line > lines.length) return ''
  const from = Math.max(1, line - 2)
  const to = Math.min(lines.length, line + 2)
  const width = String(to).length
  const out: string[] = []
  for (let n = from; n <= to; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`)
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, col - 1))}^`)
  }
  return `\n${out.join('\n')}`
}
