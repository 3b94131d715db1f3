import { z } from 'zod'

/** A text every learner-facing field carries in both languages. */
export const Bilingual = z
  .object({
    en: z.string().trim().min(1, 'the English text is empty'),
    ru: z.string().trim().min(1, 'the Russian text is empty'),
  })
  .strict()
  .describe('The same text in English and in Russian')

export const ServiceName = z
  .enum(['postgres', 'redis', 'rabbitmq', 'nats'])
  .describe('A real service the suite talks to')

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use lower-case words joined by "-" (like "rate-limit")')

export const Hint = z
  .object({
    en: z.string().trim().min(1, 'the English text is empty'),
    ru: z.string().trim().min(1, 'the Russian text is empty'),
    tests: z
      .array(z.string().min(1))
      .optional()
      .describe('Parts of the names of the tests this hint helps with: offered first while one of them fails'),
  })
  .strict()
  .describe('A hint in English and Russian, optionally tied to the tests it helps with')

const overlayName = slug.describe('Folder name under mutants/ or alternatives/')

export const Mutant = z
  .object({
    name: overlayName,
    breaks: z
      .string()
      .trim()
      .min(8, 'quote the sentence of README.md this mistake breaks')
      .describe('A verbatim excerpt of README.md: the requirement this mistake breaks'),
    mistake: z.string().trim().min(8, 'say what the learner got wrong').describe('The mistake, as an author explains it'),
  })
  .strict()
  .describe('A realistic wrong solution: the solution files with one mistake, in mutants/<name>/')

/** The Go track's mutant: the same fields, its files in go-mutants/<name>/, quoting go/README.md. */
export const GoMutant = z
  .object({
    name: overlayName.describe('Folder name under go-mutants/'),
    breaks: z
      .string()
      .trim()
      .min(8, 'quote the sentence of go/README.md this mistake breaks')
      .describe('A verbatim excerpt of exercises/<kata>/go/README.md: the requirement this mistake breaks'),
    mistake: z.string().trim().min(8, 'say what the learner got wrong').describe('The mistake, as an author explains it'),
  })
  .strict()
  .describe('A realistic wrong Go solution: the replaced files in harness/<kata>/go-mutants/<name>/')

const goPath = z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, "a path inside the kata's go/ folder, like \"counter.go\"")

export const Alternative = z
  .object({
    name: overlayName,
    design: z.string().trim().min(4, 'say how this design differs').describe('How this correct design differs from the reference'),
  })
  .strict()
  .describe('Another correct design, in alternatives/<name>/: the suite must pass it')

/**
 * A kata that offers the Go track: `go test -race` over exercises/<kata>/go/ with the hidden
 * tests of harness/<kata>/go/ (native), or the kata's own suite against the built program (wire).
 */
export const GoTrack = z
  .object({
    grade: z
      .enum(['native', 'wire'])
      .default('native')
      .describe("How the Go track is graded: 'native' runs the hidden _test.go files with `go test -race`; 'wire' builds the learner's program and the kata's Vitest suite talks to it over HTTP (harness/support/launch.ts)"),
    files: z
      .array(goPath)
      .min(1, 'list the Go files the learner edits')
      .describe("The learner's files in exercises/<kata>/go/ (the solution's are in solutions/<kata>/go/)"),
    services: z
      .array(ServiceName)
      .optional()
      .describe("Services the Go track needs when they differ from the kata's own (a wire program that keeps its data in PostgreSQL where the TypeScript track's suite hands the app an in-memory store)"),
    budgetMs: z
      .number()
      .int()
      .min(500)
      .max(600_000)
      .default(120_000)
      .describe('Wall-clock budget of one `go test -race` run (native) or `go build` (wire), in milliseconds (the first -race build is slow)'),
    mutants: z
      .array(GoMutant)
      .default([])
      .describe('Realistic wrong Go solutions in go-mutants/<name>/: each must fail on every run'),
    alternatives: z
      .array(Alternative)
      .default([])
      .describe('Other correct Go designs in go-alternatives/<name>/: each must pass on every run'),
    hints: z
      .array(Hint)
      .default([])
      .describe('Hints for the Go track, from gentle to explicit (the kata\'s own hints name TypeScript APIs, so the Go track never shows them)'),
  })
  .strict()
  .describe('The Go track: statement in go/README.md and go/README.ru.md, hidden tests in harness/<kata>/go/')

export const KataMeta = z
  .object({
    $schema: z.string().optional(),
    id: z
      .string()
      .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'an id is "<chapter>/<slug>", e.g. "redis/rate-limit"')
      .describe('Stable id "<chapter>/<slug>": never changes, whatever the folder is called'),
    title: Bilingual.describe('Short title shown in lists'),
    topics: z
      .array(z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+$/, 'a topic id looks like "redis.cache"'))
      .min(1, 'name at least one topic id of TOPICS.md')
      .describe('Topic ids of TOPICS.md this kata covers'),
    services: z.array(ServiceName).default([]).describe('Services the hidden suite needs'),
    files: z
      .array(z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, 'a path inside the kata folder, like "index.ts"'))
      .min(1, 'list the files the learner edits')
      .describe('Files the learner edits; the first one is what `@kata/<id>` imports'),
    budgetMs: z
      .number()
      .int()
      .min(500)
      .max(600_000)
      .default(10_000)
      .describe('Wall-clock budget of one run of the suite, in milliseconds'),
    points: z.number().int().min(1).max(100).default(10).describe('Points for passing every test'),
    partialCredit: z
      .boolean()
      .default(false)
      .describe('When true, a partly passing kata scores points × passed/total'),
    hints: z.array(Hint).min(2, 'give at least two progressive hints').describe('Hints, from gentle to explicit'),
    steps: z
      .array(z.object({ title: Bilingual, tests: z.string().min(1) }).strict())
      .optional()
      .describe('Multi-step katas: each step names the describe block that grades it'),
    allowedModules: z
      .array(z.string().regex(/^node:[a-z_/]+$/, 'a built-in module, like "node:inspector/promises"'))
      .default([])
      .describe('Built-in modules that graded code may import although grading refuses them elsewhere (a kata that teaches profiling needs node:inspector)'),
    mutants: z
      .array(Mutant)
      .default([])
      .describe('Realistic wrong solutions in mutants/<name>/: each must fail the suite on every run'),
    alternatives: z
      .array(Alternative)
      .default([])
      .describe('Other correct designs the statement allows, in alternatives/<name>/: each must pass'),
    go: GoTrack.optional(),
  })
  .strict()

export const ChapterMeta = z
  .object({
    $schema: z.string().optional(),
    id: slug.describe('Stable chapter id, the first half of every kata id in it'),
    order: z.number().int().min(0).describe('Place of the chapter in the roadmap'),
    title: Bilingual,
    intro: Bilingual.describe('A short introduction for learners (Markdown)'),
    resources: z
      .array(z.object({ title: z.string().min(1), url: z.string().url() }).strict())
      .default([])
      .describe('Reading the roadmap recommends for this chapter'),
    katas: z.array(slug).describe('Kata slugs in roadmap order'),
  })
  .strict()

export type KataMeta = z.infer<typeof KataMeta>
export type ChapterMeta = z.infer<typeof ChapterMeta>
export type Bilingual = z.infer<typeof Bilingual>
export type Hint = z.infer<typeof Hint>
export type Mutant = z.infer<typeof Mutant>
export type Alternative = z.infer<typeof Alternative>
export type GoMutant = z.infer<typeof GoMutant>
export type GoTrack = z.infer<typeof GoTrack>
export type ServiceName = z.infer<typeof ServiceName>
export const SERVICE_NAMES = ServiceName.options
