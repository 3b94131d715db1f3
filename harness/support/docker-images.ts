// The images a learner's Dockerfile or compose file names, made available to the run. On
// a machine whose Docker cannot pull (no registry, offline), a local image built from
// Debian's packages (containers/build-images.sh) — Node, PostgreSQL, Redis, RabbitMQ —
// stands in: the run uses it in place of the name (the Docker engine's own images are never
// retagged), and the learner is told so. Any other image is named with the reason.
import { imageAvailability } from '../../src/support-api.ts'

export type BaseImages = { ok: true; notes: string[]; /** image as written → the local image used instead */ standIns: Map<string, string> } | { ok: false; reason: string }

/** The local image that can stand in for `image`, if there is one. */
function standInFor(image: string): string | undefined {
  const name = image.split('@')[0]!.replace(/^docker\.io\/(library\/)?/, '')
  if (/^gcr\.io\/distroless\/nodejs\d+(-debian\d+)?(:|$)/.test(name)) return process.env.ROADMAP_IMAGE_DISTROLESS_NODE
  if (/^node(:|$)/.test(name)) return process.env.ROADMAP_IMAGE_NODE
  if (/^postgres(:|$)/.test(name)) return process.env.ROADMAP_IMAGE_POSTGRES
  if (/^redis(:|$)/.test(name)) return process.env.ROADMAP_IMAGE_REDIS
  if (/^rabbitmq(:|$)/.test(name)) return process.env.ROADMAP_IMAGE_RABBITMQ
  return undefined
}

/** Whether every image can be had (here or from its registry), and which local image stands in for the others. */
export async function provideBaseImages(images: string[]): Promise<BaseImages> {
  const notes: string[] = []
  const standIns = new Map<string, string>()
  for (const image of new Set(images)) {
    const found = await imageAvailability(image)
    if (found.state !== 'unavailable') continue
    const local = standInFor(image)
    const usable = local && (await imageAvailability(local)).state === 'local'
    if (!usable) return { ok: false, reason: `${found.reason}; the image cannot be built here` }
    standIns.set(image, local)
    notes.push(`${image} cannot be pulled here: ${local} (built locally from Debian's packages) stands in for it; its version may differ, and an alpine-only command (apk) would fail`)
  }
  return { ok: true, notes, standIns }
}

/** A Dockerfile's text with each `FROM <image>` that has a stand-in pointing at it instead. */
export function withStandIns(dockerfile: string, standIns: Map<string, string>): string {
  return dockerfile.replace(/^(\s*FROM\s+(?:--\S+\s+)*)(\S+)/gim, (line, head: string, image: string) => (standIns.has(image) ? `${head}${standIns.get(image)}` : line))
}
