/**
 * What `go test` and the learner's Go code may see of the grader's environment: what the go
 * command, the compiler and cgo (the race detector) need, and nothing else the grader's
 * shell carries (tokens, CI secrets, service passwords).
 */
const ALLOWED = /^(PATH|HOME|USER|TMPDIR|LANG|LC_[A-Z_]+|TZ|XDG_CACHE_HOME|XDG_CONFIG_HOME|GO[A-Z0-9_]*|CGO_[A-Z_]+|CC|CXX|AR|PKG_CONFIG|PKG_CONFIG_PATH)$/

export function goEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && ALLOWED.test(k)))
}
