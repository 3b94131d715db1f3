// A learner's compose file brought up for real, under a project name of its own, with
// the harness's overrides (no published ports, which could clash on the host; the api
// replaced by a probe image; the owner label the reaper goes by, should the suite be
// stopped before its clean-up) and every variable the file names given a fresh value.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { KATA_STACK_PREFIX, OWNER_LABEL } from '../../src/support-api.ts'

const run = promisify(execFile)

export class ComposeError extends Error {
  override name = 'ComposeError'
}

/** Whether `docker compose` (the CLI plugin) is installed, or why not. */
export async function composeCli(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await run('docker', ['compose', 'version'], { timeout: 10_000 })
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: `the docker compose plugin does not answer (${(err as Error).message.split('\n')[0]})` }
  }
}

/** A label for every service, as `services/containers.ts` labels the containers it starts. */
export const ownerLabels = () => `    labels:\n      ${JSON.stringify(OWNER_LABEL)}: ${JSON.stringify(String(process.pid))}\n`

/** The variables a compose file refers to (`${NAME}`, `${NAME:?…}`, `$NAME`). */
export function variablesOf(text: string): string[] {
  const names = [...text.replace(/\$\$/g, '').matchAll(/\$\{(\w+)|\$(\w+)/g)].map((m) => (m[1] ?? m[2])!)
  return [...new Set(names)]
}

export class ComposeStack {
  private readonly scratch = mkdtempSync(join(tmpdir(), 'roadmap-compose-'))
  readonly env: Record<string, string>

  constructor(
    private readonly file: string,
    fileText: string,
    override: string,
    readonly project = `${KATA_STACK_PREFIX}${randomBytes(4).toString('hex')}`,
  ) {
    writeFileSync(join(this.scratch, 'override.yaml'), override)
    // Letters and digits only: the values land inside URLs.
    this.env = Object.fromEntries(variablesOf(fileText).map((name) => [name, `v${randomBytes(9).toString('hex')}`]))
  }

  /** Runs `docker compose <args>` on the stack; a failure carries compose's own words. */
  async compose(args: string[], timeoutMs = 180_000): Promise<string> {
    try {
      const { stdout } = await run('docker', ['compose', '-p', this.project, '-f', this.file, '-f', join(this.scratch, 'override.yaml'), ...args], {
        env: { ...process.env, ...this.env },
        timeout: timeoutMs,
        maxBuffer: 8 * 1024 * 1024,
      })
      return stdout
    } catch (err) {
      const e = err as { stderr?: string; message: string }
      throw new ComposeError(`docker compose ${args.join(' ')}: ${(e.stderr || e.message).trim().split('\n').slice(-12).join('\n')}`)
    }
  }

  /** A command inside a running service's container; its standard output. */
  exec(service: string, command: string[], timeoutMs = 30_000) {
    return this.compose(['exec', '-T', service, ...command], timeoutMs)
  }

  /** Removes containers, networks and volumes of the stack, and the scratch folder. */
  async down() {
    await this.compose(['down', '-v', '--remove-orphans', '--timeout', '5'], 120_000).catch(() => undefined)
    rmSync(this.scratch, { recursive: true, force: true })
  }
}
