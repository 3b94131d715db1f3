import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Healthcheck, type Instruction } from 'dockerfile-ast'
import { dir } from '@kata/docker/dockerfile/index.ts'
import {
  copyArgs,
  copySourceStage,
  dockerEngine,
  dockerignore,
  effectiveInstructions,
  flag,
  hasDevNodeModules,
  healthcheckOf,
  installsDevDependencies,
  isCopy,
  isExecForm,
  keyword,
  lineage,
  listFiles,
  parseDockerfile,
  readKataFile,
  rootBase,
  runText,
  sourceMatches,
  words,
  type Stage,
} from '#support/docker'
import { provideBaseImages, withStandIns } from '#support/docker-images'
import { OWNER_LABEL } from '../../../src/support-api.ts'

// Each test reads the files afresh, so a saved edit is what gets graded.
const dockerfile = () => parseDockerfile(readKataFile(dir, 'Dockerfile'))
const ignoreFile = () => readKataFile(dir, '.dockerignore')

/** The final stage, or a failed expectation that says there is none. */
function finalStage(stages: Stage[]): Stage {
  expect(stages.length, 'FROM instructions in the Dockerfile').toBeGreaterThan(0)
  return stages.at(-1)!
}

const stageLabel = (s: Stage) => (s.name ? `stage "${s.name}"` : `stage ${s.index}`)
const isBuildRun = (cmd: string) => /\bnpm\s+run\s+build\b|\b(npx\s+)?tsc\b/.test(cmd)
/** The stage that compiles the TypeScript (runs `npm run build`). */
const buildStage = (stages: Stage[]) => stages.find((s) => s.instructions.some((i) => keyword(i) === 'RUN' && isBuildRun(runText(i))))
const smallBase = (image: string) => /alpine|slim|distroless|chainguard/i.test(image)
const distroless = (image: string) => /distroless/i.test(image)

/** The port the app listens on inside the final image: ENV PORT, else the app's default 3000. */
function listeningPort(stage: Stage): number {
  let port = 3000
  for (const ins of effectiveInstructions(stage)) {
    if (keyword(ins) !== 'ENV') continue
    for (const w of envPairs(ins)) if (w[0] === 'PORT' && /^\d+$/.test(w[1])) port = Number(w[1])
  }
  return port
}

/** ENV KEY=value pairs (also the legacy `ENV KEY value` form). */
function envPairs(ins: Instruction): [string, string][] {
  const w = words(ins)
  if (w.length >= 2 && !w[0]!.includes('=')) return [[w[0]!, w.slice(1).join(' ')]]
  return w.filter((x) => x.includes('=')).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')])
}

/** Whether a test of the review failed: the image is built only once the files pass it. */
let reviewFailed = false
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') reviewFailed = true
})

describe('Dockerfile', () => {
  it('is a Dockerfile the linter accepts (FROM first, no syntax errors)', () => {
    const { stages, errors } = dockerfile()
    expect(errors, 'errors reported by the Dockerfile linter').toEqual([])
    expect(stages.length, 'FROM instructions in the Dockerfile').toBeGreaterThan(0)
  })

  it('pins every base image to a version tag or a digest, never :latest', () => {
    const { stages } = dockerfile()
    const external = stages.filter((s) => !s.parent)
    expect(external.length, 'FROM instructions that start from a registry image').toBeGreaterThan(0)
    const comments = external.flatMap((s) => {
      const image = s.base
      const digest = image.includes('@sha256:')
      const tag = /:([^/:@]+)$/.exec(image.split('@')[0]!)?.[1]
      if (digest) return []
      if (!tag) return [`FROM ${image}: no tag means :latest, which changes under you; pin a version such as node:22-alpine`]
      if (tag === 'latest') return [`FROM ${image}: :latest is not a version; pin one such as node:22-alpine`]
      return []
    })
    expect(comments, 'review of the base images').toEqual([])
  })

  it('compiles in a named build stage and runs in a separate final stage (multi-stage build)', () => {
    const { stages } = dockerfile()
    const final = finalStage(stages)
    const build = buildStage(stages)
    expect(stages.length, 'number of stages (FROM instructions): a multi-stage build has at least 2').toBeGreaterThanOrEqual(2)
    expect(build, 'a stage that runs `npm run build`').toBeDefined()
    expect(build!.name, `the build stage (line ${build!.from.getRange().start.line + 1}) should be named, e.g. FROM node:22-alpine AS build`).toBeDefined()
    expect(lineage(final).includes(build!), `the final stage must not be (or extend) the build stage "${build!.name}": it would carry the compiler and the sources`).toBe(false)
    const fromBuild = final.instructions.filter((i) => isCopy(i) && copySourceStage(i, stages) !== undefined)
    expect(fromBuild.length, 'COPY --from=<build stage> instructions in the final stage (it should take the compiled output from the build stage)').toBeGreaterThan(0)
  })

  it('starts the final stage from a small base image (alpine, slim or distroless)', () => {
    const { stages } = dockerfile()
    const base = rootBase(finalStage(stages))
    expect(smallBase(base), `the final stage starts from ${base}: use a small variant such as node:22-alpine, node:22-slim or gcr.io/distroless/nodejs22-debian12`).toBe(true)
  })

  it('installs dependencies with npm ci from the lockfile before copying the sources, so that layer is cached', () => {
    const { stages } = dockerfile()
    const build = buildStage(stages)
    expect(build, 'a stage that runs `npm run build`').toBeDefined()
    const steps = effectiveInstructions(build!)
    const install = steps.findIndex((i) => keyword(i) === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(runText(i)))
    expect(install, `${stageLabel(build!)} never installs dependencies (RUN npm ci) before npm run build`).toBeGreaterThanOrEqual(0)
    expect(runText(steps[install]!), 'the install step: use `npm ci`, which installs exactly what package-lock.json says (npm install may change it)').toMatch(/\bnpm\s+ci\b/)
    const before = steps.slice(0, install).filter((i) => isCopy(i) && flag(i, 'from') === undefined).flatMap((i) => copyArgs(i).sources)
    const lockfileFirst = before.some((s) => sourceMatches(s, ['package-lock.json']))
    expect(lockfileFirst, 'npm ci needs package-lock.json: COPY package.json package-lock.json ./ before RUN npm ci').toBe(true)
    const notManifests = before.filter((s) => !/^(\.\/)?(package(-lock)?\.json|package\*\.json|npm-shrinkwrap\.json|\.npmrc|tsconfig[\w.-]*\.json)$/.test(s))
    expect(notManifests, 'copied before npm ci besides package.json/package-lock.json: every change to them (your sources!) would rerun npm ci; copy them after it').toEqual([])
    const compile = steps.findIndex((i) => keyword(i) === 'RUN' && isBuildRun(runText(i)))
    const sourcesCopied = steps.slice(install, compile).some((i) => isCopy(i) && flag(i, 'from') === undefined && copyArgs(i).sources.some((s) => sourceMatches(s, ['src/server.ts'])))
    expect(sourcesCopied, 'the sources (src/) are copied between npm ci and npm run build').toBe(true)
  })

  it('copies only the build output into the final stage, never the whole context or the dev dependencies', () => {
    const { stages } = dockerfile()
    const final = finalStage(stages)
    const comments: string[] = []
    for (const ins of final.instructions) {
      const line = ins.getRange().start.line + 1
      if (isCopy(ins)) {
        const { sources } = copyArgs(ins)
        const from = copySourceStage(ins, stages)
        if (!from && flag(ins, 'from') === undefined && sources.some((s) => /^(\.|\.\/|\*|\/)$/.test(s))) {
          comments.push(`line ${line}: ${ins.toString().trim()} copies the whole build context (sources, tests, maybe secrets) into the runtime image; copy the compiled output from the build stage instead`)
        }
        if (from) {
          const workdirs = effectiveInstructions(from).filter((i) => keyword(i) === 'WORKDIR').map((i) => words(i).join(' ').replace(/\/+$/, ''))
          const root = workdirs.at(-1) ?? '/'
          for (const s of sources) {
            const abs = (s.startsWith('/') ? s : `${root}/${s}`).replace(/\/\.?\/?$/, '').replace(/\/+$/, '') || '/'
            if (abs === root || abs === '/' || s === '.' || s === './') comments.push(`line ${line}: copies all of ${stageLabel(from)} (${s}): sources and devDependencies come along; copy only dist/ and package.json`)
            if (/(^|\/)node_modules$/.test(abs) && hasDevNodeModules(from)) {
              comments.push(`line ${line}: copies node_modules from ${stageLabel(from)}, which was installed with devDependencies (typescript…); install with npm ci --omit=dev for the runtime`)
            }
          }
        }
      }
      if (keyword(ins) === 'RUN' && installsDevDependencies(runText(ins))) {
        comments.push(`line ${line}: installs devDependencies in the final stage; use npm ci --omit=dev (or copy nothing but dist/)`)
      }
      if (keyword(ins) === 'RUN' && isBuildRun(runText(ins))) comments.push(`line ${line}: compiles in the final stage; compile in the build stage and copy dist/`)
    }
    expect(final.instructions.some((i) => copySourceStage(i, stages) !== undefined), 'the final stage copies something from the build stage (COPY --from=build …)').toBe(true)
    expect(comments, 'review of what the final stage copies').toEqual([])
  })

  it('runs the final stage as a non-root user', () => {
    const { stages } = dockerfile()
    const final = finalStage(stages)
    const base = rootBase(final)
    const users = effectiveInstructions(final).filter((i) => keyword(i) === 'USER').map((i) => words(i).join(' '))
    const user = users.at(-1) ?? (/:nonroot\b|-nonroot\b/.test(base) ? 'nonroot' : undefined)
    expect(user, `the final stage runs as root (no USER): add USER node (the node images ship that user)`).toBeDefined()
    const name = user!.split(':')[0]!
    expect(['root', '0'].includes(name), `USER ${user}: that is root; use an unprivileged user such as node`).toBe(false)
    const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const created = effectiveInstructions(final).some((i) => keyword(i) === 'RUN' && new RegExp(`\\b(adduser|useradd)\\b[^&;|]*(^|\\s)${quoted}(\\s|$)`).test(runText(i)))
    const builtIn = /^\d+$/.test(name) || (name === 'node' && /(^|\/)node[:@]/.test(base)) || (name === 'nonroot' && distroless(base))
    expect(builtIn || created, `USER ${name}: ${base} has no such user; create it (addgroup/adduser) or use the built-in node user`).toBe(true)
  })

  it('starts node directly, in exec form, so SIGTERM from docker stop reaches it', () => {
    const { stages } = dockerfile()
    const final = finalStage(stages)
    const all = effectiveInstructions(final)
    const entrypoint = all.filter((i) => keyword(i) === 'ENTRYPOINT').at(-1)
    const cmd = all.filter((i) => keyword(i) === 'CMD').at(-1)
    expect(entrypoint ?? cmd, 'a CMD (or ENTRYPOINT) in the final stage').toBeDefined()
    for (const ins of [entrypoint, cmd]) {
      if (ins) expect(isExecForm(ins), `${ins.toString().trim()}: shell form runs under /bin/sh -c, which does not pass SIGTERM on; write it as JSON: CMD ["node", "dist/server.js"]`).toBe(true)
    }
    const implicit = distroless(rootBase(final)) && !entrypoint ? ['node'] : []
    const argv = [...implicit, ...(entrypoint ? words(entrypoint) : []), ...(cmd ? words(cmd) : [])]
    const program = argv[0] ?? ''
    expect(/^(npm|yarn|pnpm)$/.test(program), `${argv.join(' ')}: npm start does not forward SIGTERM to node; start node itself`).toBe(false)
    expect(/(^|\/)(sh|bash)$/.test(program), `${argv.join(' ')}: a shell in between swallows SIGTERM; start node itself`).toBe(false)
    expect(argv.some((a) => /(^|\/)node$/.test(a)), `${argv.join(' ')}: the container should run node`).toBe(true)
    expect(argv.some((a) => /(^|\/)dist\/server\.js$/.test(a)), `${argv.join(' ')}: run the compiled entry point, dist/server.js`).toBe(true)
  })

  it('sets NODE_ENV=production and EXPOSEs the port the app listens on', () => {
    const { stages } = dockerfile()
    const final = finalStage(stages)
    const env = effectiveInstructions(final).filter((i) => keyword(i) === 'ENV').flatMap(envPairs)
    const nodeEnv = env.filter(([k]) => k === 'NODE_ENV').at(-1)?.[1]
    expect(nodeEnv, 'NODE_ENV in the final stage (ENV set in the build stage does not carry over)').toBe('production')
    const port = listeningPort(final)
    const exposed = effectiveInstructions(final).filter((i) => keyword(i) === 'EXPOSE').flatMap((i) => words(i).map((w) => Number(w.split('/')[0])))
    expect(exposed, `EXPOSE in the final stage: the app listens on ${port}`).toContain(port)
  })

  it('has a HEALTHCHECK that probes /healthz on the app port with a tool the final image has', () => {
    const { stages } = dockerfile()
    const final = finalStage(stages)
    const base = rootBase(final)
    const ins = effectiveInstructions(final).filter((i): i is Healthcheck => i instanceof Healthcheck).at(-1)
    expect(ins, 'a HEALTHCHECK in the final stage').toBeDefined()
    const hc = healthcheckOf(ins!)
    expect(hc.none, 'HEALTHCHECK NONE turns the check off').toBe(false)
    expect(hc.text, 'the HEALTHCHECK command').not.toBe('')
    if (distroless(base)) expect(hc.execForm, `${base} has no shell: write HEALTHCHECK CMD ["…", "…"] in exec form`).toBe(true)
    const url = /https?:\/\/[^\s'"`)]+/.exec(hc.text)?.[0]
    expect(url, `HEALTHCHECK ${hc.text}: it should request http://127.0.0.1:<port>/healthz`).toBeDefined()
    const u = new URL(url!)
    const port = listeningPort(final)
    expect(u.pathname, `HEALTHCHECK requests ${url}: the app answers on /healthz`).toBe('/healthz')
    expect(Number(u.port || 80), `HEALTHCHECK requests ${url}: the app listens on ${port}`).toBe(port)
    const program = (hc.execForm ? hc.argv[0]! : hc.text.split(/\s+/)[0]!).split('/').at(-1)!
    const installs = (tool: string) => effectiveInstructions(final).some((i) => keyword(i) === 'RUN' && new RegExp(`(apk\\s+add|apt-get\\s+install|apt\\s+install)[^&;|]*\\b${tool}\\b`).test(runText(i)))
    if (program === 'curl') expect(installs('curl'), `HEALTHCHECK uses curl, which ${base} does not have: install it in the final stage, or probe with node -e "fetch(…)"`).toBe(true)
    if (program === 'wget') expect(/alpine/.test(base) || installs('wget'), `HEALTHCHECK uses wget, which ${base} does not have: probe with node -e "fetch(…)"`).toBe(true)
  })
})

describe('.dockerignore', () => {
  it('keeps node_modules, .git and every .env file out of the build context', () => {
    const ig = dockerignore(ignoreFile())
    for (const path of ['node_modules/typescript/package.json', '.git/HEAD', '.env', '.env.local', '.env.production']) {
      expect(ig.ignores(path), `is ${path} kept out of the build context?`).toBe(true)
    }
  })

  it('keeps what the build needs: every COPY source of the Dockerfile is in the build context', () => {
    const { stages } = dockerfile()
    const ig = dockerignore(ignoreFile())
    const context = listFiles(dir).filter((f) => !ig.ignores(f))
    const copies = stages.flatMap((s) => s.instructions.filter((i) => isCopy(i) && flag(i, 'from') === undefined))
    expect(copies.length, 'COPY instructions that take files from the build context').toBeGreaterThan(0)
    for (const ins of copies) {
      for (const source of copyArgs(ins).sources) {
        expect(sourceMatches(source, context), `line ${ins.getRange().start.line + 1}: ${ins.toString().trim()}: "${source}" is not in the build context (missing, or excluded by .dockerignore)`).toBe(true)
      }
    }
  })
})

// Asked once, when the suite loads, so the test's name can tell whether the build really ran.
const engine = await dockerEngine(1000)
const required = process.env.ROADMAP_REQUIRE_CONTAINERS === '1'
const bases = engine.ok ? await baseImages() : undefined

/** The learner's external base images, made available to the build (see docker-images.ts). */
async function baseImages() {
  let images: string[]
  try {
    images = dockerfile().stages.filter((s) => !s.parent).map((s) => s.base)
  } catch {
    return undefined // the review above reports the Dockerfile's problem
  }
  return provideBaseImages(images)
}

const skipped = !engine.ok ? engine.reason : bases && !bases.ok ? bases.reason : undefined

describe('docker build', () => {
  const name = skipped === undefined || required ? 'builds the image, and the container turns healthy' : `builds the image: SKIPPED here, ${skipped}; the review above still applies`
  it(name, async () => {
    if (reviewFailed) throw new Error('the review of the Dockerfile and .dockerignore above found problems: fix those first; the image is built once the files pass it')
    const { stages, errors } = dockerfile()
    expect(stages.length, 'FROM instructions in the Dockerfile').toBeGreaterThan(0)
    expect(errors, 'errors reported by the Dockerfile linter').toEqual([])
    if (skipped !== undefined) {
      if (required) throw new Error(`the image build could not run here (${skipped}), and ROADMAP_REQUIRE_CONTAINERS=1`)
      console.log(`Image build skipped: ${skipped}. The checks above still graded your Dockerfile.`)
      return
    }
    for (const note of bases?.ok ? bases.notes : []) console.log(note)
    const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers')
    const port = listeningPort(stages.at(-1)!)
    const tag = `roadmap-kata-dockerfile:${Date.now().toString(36)}`
    let image: Awaited<ReturnType<ReturnType<typeof GenericContainer.fromDockerfile>['build']>>
    // Built from a copy of the folder: a stand-in base image is written into the copy's Dockerfile only.
    const context = mkdtempSync(join(tmpdir(), 'roadmap-dockerfile-'))
    try {
      cpSync(dir, context, { recursive: true, filter: (src) => !/[/\\](node_modules|\.git)$/.test(src) })
      if (bases?.ok && bases.standIns.size) writeFileSync(join(context, 'Dockerfile'), withStandIns(readKataFile(dir, 'Dockerfile'), bases.standIns))
      image = await GenericContainer.fromDockerfile(context).build(tag, { deleteOnExit: false })
    } catch (err) {
      throw new Error(`docker build failed: ${(err as Error).message.split('\n').slice(0, 8).join('\n')}\nRun \`docker build .\` in the kata folder to see every step.`)
    } finally {
      rmSync(context, { recursive: true, force: true })
    }
    try {
      // The owner label lets the reaper remove the container should this run be stopped first.
      const container = await image.withExposedPorts(port).withLabels({ [OWNER_LABEL]: String(process.pid) }).withWaitStrategy(Wait.forHealthCheck()).withStartupTimeout(90_000).start()
      try {
        const res = await fetch(`http://${container.getHost()}:${container.getMappedPort(port)}/healthz`)
        expect(res.status, 'GET /healthz on the running container').toBe(200)
      } finally {
        await container.stop()
      }
    } finally {
      const { dockerode } = (await getContainerRuntimeClient()).container
      await dockerode.getImage(tag).remove({ force: true }).catch(() => undefined)
    }
  })
})
