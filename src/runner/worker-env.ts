/**
 * What a learner's worker may see of the environment: what Node and Vitest need and the
 * service URLs (and where Docker and the local images are, for the Docker chapter). No tokens, no CI secrets, nothing else the grader's shell carries.
 */
const ALLOWED = /^(VITEST.*|TEST|NODE_ENV|PATH|HOME|USER|TMPDIR|TEMP|TMP|LANG|LC_.*|TZ|TERM|FORCE_COLOR|NO_COLOR|CI|DATABASE_URL|REDIS_URL|AMQP_URL|NATS_URL|ROADMAP_WORKER|ROADMAP_PRELOAD|DOCKER_HOST|ROADMAP_IMAGE_[A-Z_]+|ROADMAP_REQUIRE_CONTAINERS)$/

export function scrubEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && ALLOWED.test(k)))
}

/** Marks every process a worker starts, so the harness can find the ones left running. */
export const WORKER_MARK = 'ROADMAP_WORKER'
