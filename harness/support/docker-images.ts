// The base images a learner's Dockerfile starts FROM, made available to the build. On a
// machine whose Docker cannot pull (no registry, offline), a Node image is stood in for by
// a local one built from Debian's packages (containers/build-images.sh) — Node, PostgreSQL,
// Redis, RabbitMQ — and the learner is told so; any other image is named with the reason.
import { imageAvailability } from '../../src/services/containers.ts'

/** The label containers/build-images.sh puts on every local image. */
const STAND_IN_LABEL = 'org.roadmap.base'

export type BaseImages = { ok: true; notes: string[] } | { ok: false; reason: string }

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

const repoAndTag = (image: string) => {
  const colon = image.lastIndexOf(':')
  return colon > image.lastIndexOf('/') ? { repo: image.slice(0, colon), tag: image.slice(colon + 1) } : { repo: image, tag: 'latest' }
}

/** Makes every external base image available to a build, or says which one cannot be. */
export async function provideBaseImages(images: string[]): Promise<BaseImages> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const { dockerode } = (await getContainerRuntimeClient()).container
  const notes: string[] = []
  for (const image of new Set(images)) {
    const present = await dockerode.getImage(image).inspect().catch(() => undefined)
    // A stand-in tagged by an earlier run is tagged again: the local images may have been rebuilt.
    const earlierStandIn = present?.Config?.Labels?.[STAND_IN_LABEL] !== undefined
    if (present && !earlierStandIn) continue
    const found = present ? undefined : await imageAvailability(image)
    if (found?.state === 'pullable') continue
    const local = standInFor(image)
    const usable = local && !image.includes('@') && (await imageAvailability(local)).state === 'local'
    if (!usable) return { ok: false, reason: `${found?.state === 'unavailable' ? found.reason : `Docker cannot pull ${image}`}; the image cannot be built here` }
    await dockerode.getImage(local).tag(repoAndTag(image))
    notes.push(`${image} cannot be pulled here: ${local} (built locally from Debian's packages) stands in for it; its version may differ, and an alpine-only command (apk) would fail`)
  }
  return { ok: true, notes }
}
