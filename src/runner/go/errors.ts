/** Why a Go-native kata could not be graded at all: a harness condition, not the learner's code. */
export class GoGradingError extends Error {
  override name = 'GoGradingError'
}

/** The `go` command is not installed, or not where the runner looks for it. */
export class GoMissingError extends GoGradingError {
  override name = 'GoMissingError'
  constructor() {
    super('the Go toolchain was not found: install Go 1.26 (https://go.dev/doc/install) and put its bin folder on PATH, or set ROADMAP_GO to the `go` binary')
  }
}
