import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isolationCommand, sq, type Principal } from '../privileges.ts'

/**
 * The `go test -exec` program of a graded Go run: go builds the test binary as the grader
 * (the hidden tests are laid over at compile time, never shown to the run), then hands it to
 * this script, which copies it where the run's user may execute it and starts it as that
 * user, in namespaces of its own (see isolationCommand): graded Go code never runs as the
 * grader. go reads the binary's output and turns it into -json events as usual.
 * Returns the script and its folder (remove it after the run).
 */
export function isolatedExec(principal: Principal): { wrapper: string; dir: string } {
  // Only the run's group may enter: the binary is there, nothing else of the grader's.
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-go-run-'))
  // The grader's own user (--unsafe-same-user) needs no group: the folder is its own.
  if (!principal.sameUser) chownSync(dir, 0, principal.gid)
  chmodSync(dir, 0o750)
  const program = join(dir, 'kata.test')
  const { execPath, args } = isolationCommand(principal, program)
  const script = [
    '#!/bin/sh',
    '# $1: the test binary go built; the rest: its flags.',
    'built="$1"; shift',
    `cp "$built" ${sq(program)} ${principal.sameUser ? '' : `&& chgrp ${principal.gid} ${sq(program)} `}&& chmod 0750 ${sq(program)} || exit 96`,
    `exec ${[execPath, ...args].map(sq).join(' ')} "$@"`,
    '',
  ].join('\n')
  const wrapper = join(dir, 'exec.sh')
  writeFileSync(wrapper, script, { mode: 0o700 })
  return { wrapper, dir }
}
