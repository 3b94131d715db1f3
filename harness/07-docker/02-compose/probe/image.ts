// The probe api's image: server.ts bundled with its clients (esbuild) on a Node base
// image, built once per machine and kept under a tag naming its content.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { provideBaseImages } from '#support/docker-images'

const SOURCE = fileURLToPath(new URL('./server.ts', import.meta.url))
const BASE = 'node:22-slim'

const dockerfile = (base: string) => `FROM ${base}
COPY probe.cjs /probe/probe.cjs
HEALTHCHECK --interval=2s --timeout=5s --retries=45 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "/probe/probe.cjs"]
`

/** The probe image's tag, built if this machine does not have it yet; or why it cannot be. */
export async function probeImage(): Promise<{ ok: true; image: string; notes: string[] } | { ok: false; reason: string }> {
  const tag = `roadmap-kata-compose-probe:${createHash('sha1').update(readFileSync(SOURCE)).update(dockerfile(BASE)).digest('hex').slice(0, 12)}`
  const { getContainerRuntimeClient, GenericContainer } = await import('testcontainers')
  const { dockerode } = (await getContainerRuntimeClient()).container
  if (await dockerode.getImage(tag).inspect().then(() => true, () => false)) return { ok: true, image: tag, notes: [] }
  const base = await provideBaseImages([BASE])
  if (!base.ok) return base
  const context = mkdtempSync(join(tmpdir(), 'roadmap-probe-'))
  try {
    const { build } = await import('esbuild')
    await build({ entryPoints: [SOURCE], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile: join(context, 'probe.cjs'), external: ['pg-native'], logLevel: 'silent' })
    writeFileSync(join(context, 'Dockerfile'), dockerfile(base.standIns.get(BASE) ?? BASE))
    await GenericContainer.fromDockerfile(context).build(tag, { deleteOnExit: false })
    return { ok: true, image: tag, notes: base.notes }
  } finally {
    rmSync(context, { recursive: true, force: true })
  }
}
