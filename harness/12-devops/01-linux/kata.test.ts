import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dir } from '@kata/devops/linux/index.ts'
import {
  environmentAssignments,
  execArgv,
  hasSystemdAnalyze,
  parseUnit,
  readKataFile,
  runBash,
  systemdAnalyze,
  timeSpanSeconds,
  unitBoolean,
  unitList,
  unitValue,
  unitValues,
  type UnitFile,
} from '#support/devops'

const UNIT = 'orders-api.service'
const SCRIPT = 'rotate-logs.sh'

/** The unit (read afresh for every test), or a failed expectation saying why it is not one yet. */
function unit(): UnitFile {
  const u = parseUnit(readKataFile(dir, UNIT))
  for (const s of ['Unit', 'Service', 'Install']) expect(u.sections.has(s), `${UNIT} has a [${s}] section`).toBe(true)
  return u
}

describe(UNIT, () => {
  it('parses as a service unit: [Unit], [Service] and [Install] sections of Key=Value lines', () => {
    const u = unit()
    expect(u.errors, `${UNIT}: lines systemd could not read`).toEqual([])
    expect(unitValues(u, 'Service', 'ExecStart').length, '[Service] ExecStart= (what the service runs)').toBeGreaterThan(0)
  })

  const verifyName = hasSystemdAnalyze() ? 'passes systemd-analyze verify (no unknown keys, no values systemd cannot parse)' : 'passes systemd-analyze verify: SKIPPED here, systemd-analyze is not installed; the review below still applies'
  it(verifyName, () => {
    const text = readKataFile(dir, UNIT)
    expect(unitValues(parseUnit(text), 'Service', 'ExecStart').length, '[Service] ExecStart= (what the service runs)').toBeGreaterThan(0)
    const r = systemdAnalyze(text, UNIT)
    if (!r.available) {
      console.log(`systemd-analyze not found (${r.reason}): verify skipped. The checks below still review your unit.`)
      return
    }
    expect(r.problems, 'systemd-analyze verify: unknown keys and values systemd cannot parse').toEqual([])
  })

  it('[Unit] describes the service and orders it after the network is online (Wants= and After=)', () => {
    const u = unit()
    expect(unitValue(u, 'Unit', 'Description')?.trim(), '[Unit] Description= (shown by systemctl status)').toBeTruthy()
    expect(unitList(u, 'Unit', 'After'), '[Unit] After=: start once the network is up').toContain('network-online.target')
    expect(unitList(u, 'Unit', 'Wants'), '[Unit] Wants=network-online.target: After= only orders; without Wants= nothing pulls network-online.target in, so there is nothing to wait for').toContain('network-online.target')
  })

  it('starts node and the app by absolute paths', () => {
    const u = unit()
    const starts = unitValues(u, 'Service', 'ExecStart')
    expect(starts, '[Service] ExecStart= lines: one command for a long-running service').toHaveLength(1)
    const argv = execArgv(starts[0]!)
    expect(argv[0]?.startsWith('/'), `ExecStart=${starts[0]}: name the program by its absolute path, e.g. /usr/bin/node`).toBe(true)
    expect(/(^|\/)node$/.test(argv[0] ?? ''), `ExecStart=${starts[0]}: the service runs node`).toBe(true)
    const app = argv.slice(1).find((a) => a.endsWith('server.js'))
    expect(app, `ExecStart=${starts[0]}: run the app, /opt/orders-api/dist/server.js`).toBeDefined()
    const workdir = unitValue(u, 'Service', 'WorkingDirectory')?.replace(/^-/, '')
    if (workdir !== undefined) expect(workdir.startsWith('/'), `WorkingDirectory=${workdir}: an absolute path`).toBe(true)
    const resolved = app!.startsWith('/') ? app! : workdir ? `${workdir.replace(/\/$/, '')}/${app!.replace(/^\.\//, '')}` : undefined
    expect(resolved, `ExecStart runs ${app} relative to nothing: give its absolute path or set WorkingDirectory=/opt/orders-api`).toBe('/opt/orders-api/dist/server.js')
  })

  it('runs as a dedicated unprivileged user', () => {
    const u = unit()
    const user = unitValue(u, 'Service', 'User')
    const dynamic = unitBoolean(unitValue(u, 'Service', 'DynamicUser'))
    expect(user !== undefined || dynamic, '[Service] User=orders: without it the service runs as root').toBe(true)
    if (user !== undefined) expect(['root', '0'], `User=${user}: that is root; run as the orders user`).not.toContain(user)
  })

  it('restarts after a crash, pausing between attempts', () => {
    const u = unit()
    const restart = unitValue(u, 'Service', 'Restart')
    expect(['on-failure', 'always', 'on-abnormal', 'on-abort'], `[Service] Restart=${restart ?? '(unset: "no", a crash leaves it down)'}`).toContain(restart)
    const sec = unitValue(u, 'Service', 'RestartSec')
    const seconds = timeSpanSeconds(sec)
    expect(seconds, `[Service] RestartSec=${sec ?? '(unset: 100ms, a crash loop hammers the database)'}: pause at least a second, e.g. RestartSec=5s`).toBeGreaterThanOrEqual(1)
  })

  it('reads its settings from an EnvironmentFile and keeps secrets out of the unit', () => {
    const u = unit()
    const files = unitValues(u, 'Service', 'EnvironmentFile').map((f) => f.replace(/^-/, ''))
    expect(files, '[Service] EnvironmentFile=/etc/orders-api/orders-api.env (DATABASE_URL and JWT_SECRET live there)').toContain('/etc/orders-api/orders-api.env')
    const env = environmentAssignments(unitValues(u, 'Service', 'Environment'))
    expect(env.get('NODE_ENV'), '[Service] Environment=NODE_ENV=…').toBe('production')
    const secrets = [...env.keys()].filter((k) => /PASSWORD|SECRET|TOKEN|DATABASE_URL|API_KEY|PRIVATE/i.test(k))
    expect(secrets, 'Environment= entries that look like secrets: anyone can read a unit (systemctl show); put them in the EnvironmentFile').toEqual([])
  })

  it('is started at boot (WantedBy=multi-user.target)', () => {
    expect(unitList(unit(), 'Install', 'WantedBy'), '[Install] WantedBy=: what `systemctl enable` hooks the service into').toContain('multi-user.target')
  })

  it('is hardened: NoNewPrivileges=yes and a read-only system (ProtectSystem=strict or full)', () => {
    const u = unit()
    expect(unitBoolean(unitValue(u, 'Service', 'NoNewPrivileges')), '[Service] NoNewPrivileges=yes: the process and its children can never gain privileges').toBe(true)
    // ProtectSystem=yes leaves /etc writable: only full (/usr, /boot, /etc) or strict (everything) will do.
    expect(['strict', 'full'], `[Service] ProtectSystem=${unitValue(u, 'Service', 'ProtectSystem') ?? '(unset)'}: mount /usr and /etc read-only for the service (yes protects /usr and /boot only; use strict, or full)`).toContain(unitValue(u, 'Service', 'ProtectSystem')?.toLowerCase())
  })
})

// ---------------------------------------------------------------- rotate-logs.sh

const scratch = mkdtempSync(join(tmpdir(), 'roadmap-rotate-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
let counter = 0

/** A fresh log directory with the given files ("" = empty file, a trailing "/" = directory). */
function logDir(files: Record<string, string>, name = `logs-${++counter}`): string {
  const d = join(scratch, name)
  mkdirSync(d, { recursive: true })
  for (const [f, content] of Object.entries(files)) {
    if (f.endsWith('/')) mkdirSync(join(d, f), { recursive: true })
    else {
      mkdirSync(join(d, f, '..'), { recursive: true })
      writeFileSync(join(d, f), content)
    }
  }
  return d
}

/** Files of a directory (recursively) with their contents; directories end with "/". */
function snapshot(d: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(join(d, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) Object.assign(out, { [`${rel}/`]: '' }, snapshot(d, rel))
    else out[rel] = readFileSync(join(d, rel), 'utf8')
  }
  return out
}

const script = () => {
  readKataFile(dir, SCRIPT)
  return join(dir, SCRIPT)
}
const rotate = (...args: string[]) => runBash(script(), args, { cwd: scratch })
const lines = (s: string) => s.split('\n').filter(Boolean).sort()
const show = (r: ReturnType<typeof runBash>) => `exit ${r.code}${r.signal ? ` (killed: ${r.signal}, did it hang?)` : ''}, stderr: ${JSON.stringify(r.stderr.trim().slice(0, 300))}`

describe(SCRIPT, () => {
  it('rotates every non-empty .log file: app.log becomes app.log.1 and a new empty app.log is left', () => {
    const d = logDir({ 'app.log': 'line 1\nline 2\n', 'worker.log': 'job done\n' })
    const r = rotate(d)
    expect(r.code, `rotate-logs.sh ${d}: ${show(r)}`).toBe(0)
    expect(snapshot(d), 'the log directory after one rotation').toEqual({ 'app.log': '', 'app.log.1': 'line 1\nline 2\n', 'worker.log': '', 'worker.log.1': 'job done\n' })
    expect(lines(r.stdout), 'stdout: one "rotated <file>" line per rotated file').toEqual(['rotated app.log', 'rotated worker.log'])
  })

  it('shifts older rotations up and drops the ones beyond KEEP', () => {
    const d = logDir({ 'app.log': 'v0', 'app.log.1': 'v1', 'app.log.2': 'v2', 'app.log.3': 'v3' })
    const r = rotate(d, '3')
    expect(r.code, `rotate-logs.sh <dir> 3: ${show(r)}`).toBe(0)
    expect(snapshot(d), 'KEEP=3 with app.log, .1, .2, .3: .3 (the oldest) is dropped, the rest move up one').toEqual({ 'app.log': '', 'app.log.1': 'v0', 'app.log.2': 'v1', 'app.log.3': 'v2' })
    writeFileSync(join(d, 'app.log'), 'v-1')
    const again = rotate(d, '3')
    expect(again.code, `second run: ${show(again)}`).toBe(0)
    expect(snapshot(d), 'after a second rotation with KEEP=3').toEqual({ 'app.log': '', 'app.log.1': 'v-1', 'app.log.2': 'v0', 'app.log.3': 'v1' })
  })

  it('keeps 5 rotations when KEEP is not given', () => {
    const d = logDir({ 'app.log': 'v0', 'app.log.1': 'v1', 'app.log.2': 'v2', 'app.log.3': 'v3', 'app.log.4': 'v4', 'app.log.5': 'v5' })
    const r = rotate(d)
    expect(r.code, `rotate-logs.sh <dir>: ${show(r)}`).toBe(0)
    expect(snapshot(d), 'default KEEP=5: .5 is dropped, no .6 appears').toEqual({ 'app.log': '', 'app.log.1': 'v0', 'app.log.2': 'v1', 'app.log.3': 'v2', 'app.log.4': 'v3', 'app.log.5': 'v4' })
  })

  it('skips empty logs, other files, subdirectories and files that are already rotations', () => {
    const files = { 'app.log': 'data', 'empty.log': '', 'notes.txt': 'keep me', 'app.log.1': 'old', 'archive/': '', 'archive/old.log': 'nested', 'weird.log/': '' }
    const d = logDir(files)
    const r = rotate(d)
    expect(r.code, `rotate-logs.sh <dir>: ${show(r)}`).toBe(0)
    expect(snapshot(d), 'only app.log rotates: empty.log stays as it is, notes.txt, the archive/ folder, the directory weird.log/ and app.log.1 are not logs to rotate').toEqual({
      'app.log': '',
      'app.log.1': 'data',
      'app.log.2': 'old',
      'archive/': '',
      'archive/old.log': 'nested',
      'empty.log': '',
      'notes.txt': 'keep me',
      'weird.log/': '',
    })
    expect(lines(r.stdout), 'stdout').toEqual(['rotated app.log'])
  })

  it('handles spaces in the directory and in file names', () => {
    const d = logDir({ 'my app.log': 'spaced', 'my app.log.1': 'older' }, `dir with spaces ${++counter}`)
    const r = rotate(d)
    expect(r.code, `rotate-logs.sh "${d}": ${show(r)} (quote every "$variable")`).toBe(0)
    expect(snapshot(d), 'after rotating "my app.log"').toEqual({ 'my app.log': '', 'my app.log.1': 'spaced', 'my app.log.2': 'older' })
    expect(lines(r.stdout), 'stdout').toEqual(['rotated my app.log'])
  })

  it('succeeds quietly when there is nothing to rotate', () => {
    const d = logDir({})
    const r = rotate(d)
    expect(r.code, `rotate-logs.sh <empty dir>: ${show(r)} (with no *.log files the glob stays a literal "*.log" unless nullglob is set)`).toBe(0)
    expect(r.stdout, 'stdout for an empty directory').toBe('')
    expect(snapshot(d), 'an empty directory stays empty').toEqual({})
  })

  it('rejects bad arguments with exit code 64 and a usage line on stderr, changing nothing', () => {
    const d = logDir({ 'app.log': 'data' })
    for (const args of [[], [d, '0'], [d, 'abc'], [d, '-2'], [d, '3', 'extra']]) {
      const r = rotate(...args)
      const call = args.length ? `rotate-logs.sh ${args.map((a) => (a === d ? '<dir>' : JSON.stringify(a))).join(' ')}` : 'rotate-logs.sh (no arguments)'
      expect(r.code, `${call}: ${show(r)}`).toBe(64)
      expect(r.stderr.toLowerCase(), `${call}: stderr should say how to call it ("usage: …")`).toContain('usage')
      expect(r.stdout, `${call}: stdout (errors go to stderr)`).toBe('')
    }
    expect(snapshot(d), 'the directory after the rejected calls').toEqual({ 'app.log': 'data' })
  })

  it('exits with 66 when LOG_DIR is not a directory, naming it on stderr', () => {
    const missing = join(scratch, 'no-such-dir')
    const file = join(scratch, `plain-file-${++counter}`)
    writeFileSync(file, 'x')
    for (const target of [missing, file]) {
      const r = rotate(target)
      expect(r.code, `rotate-logs.sh ${target}: ${show(r)}`).toBe(66)
      expect(r.stderr, `rotate-logs.sh ${target}: stderr names the directory`).toContain(target)
      expect(r.stdout, `rotate-logs.sh ${target}: stdout`).toBe('')
    }
  })

  it('stops with a non-zero exit code when a step fails, instead of reporting success', () => {
    // A stand-in `mv` first on PATH fails for one file, as a full or broken disk would.
    const bin = join(scratch, `bin-${++counter}`)
    mkdirSync(bin)
    const realMv = spawnSync('bash', ['-c', 'command -v mv'], { encoding: 'utf8' }).stdout.trim()
    const log = join(bin, 'calls')
    writeFileSync(
      join(bin, 'mv'),
      `#!/usr/bin/env bash\necho "$*" >> ${JSON.stringify(log)}\nfor a in "$@"; do case "$a" in *locked*) echo "mv: cannot move '$a': Input/output error" >&2; exit 1;; esac; done\nexec ${JSON.stringify(realMv)} "$@"\n`,
    )
    chmodSync(join(bin, 'mv'), 0o755)
    const d = logDir({ 'a.log': 'a', 'locked.log': 'l' })
    const r = runBash(script(), [d], { cwd: scratch, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } })
    expect(existsSync(log) && statSync(log).size > 0, 'the script moves files with mv (found on PATH), as the README says').toBe(true)
    expect(r.code, `mv fails for locked.log: ${show(r)}; the script must fail too (set -e)`).not.toBe(0)
    expect(r.code, 'a failing step is not a usage error (64)').not.toBe(64)
    expect(lines(r.stdout), 'stdout must not claim that locked.log was rotated').not.toContain('rotated locked.log')
  })
})
