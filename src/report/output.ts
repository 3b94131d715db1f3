/**
 * The one writer commands print through, instead of process.stdout and process.stderr:
 * the process's streams when run from the shell, strings when a test runs a command in
 * process. Colours are still decided by `paint` (style.ts) from the real stdout.
 */
export interface Output {
  /** Text for the reader, on stdout; the newline is added. */
  line(text?: string): void
  /** A machine-readable answer (--json) on stdout. */
  json(value: unknown): void
  /** Warnings and notes beside the answer, on stderr, so that a pipe gets only the answer. */
  note(text: string): void
}

/** stdout and stderr of this process. */
export const processOutput: Output = {
  line: (text = '') => void process.stdout.write(`${text}\n`),
  json: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  note: (text) => void process.stderr.write(`${text}\n`),
}

/** An output that keeps what a command printed, for tests that run commands in process. */
export function memoryOutput(): Output & { stdout: string; stderr: string } {
  const kept = {
    stdout: '',
    stderr: '',
    line: (text = '') => void (kept.stdout += `${text}\n`),
    json: (value: unknown) => void (kept.stdout += `${JSON.stringify(value, null, 2)}\n`),
    note: (text: string) => void (kept.stderr += `${text}\n`),
  }
  return kept
}
