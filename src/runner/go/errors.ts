/** Why a Go-native kata could not be graded at all: a harness condition, not the learner's code. */
export class GoGradingError extends Error {
  override name = 'GoGradingError'
}

/** The `go` command is not installed, or not where the runner looks for it. */
export class GoMissingError extends GoGradingError {
  override name = 'GoMissingError'
  constructor() {
    super('Go not found: install Go (the version in the kata\'s go.mod or newer) from go.dev/dl or your package manager; roadmap looks in PATH and /usr/local/go/bin (or set ROADMAP_GO to the `go` binary)')
  }
}
