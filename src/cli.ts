import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { closest } from './catalog/select.ts'
import { UserError } from './commands/context.ts'
import { EXIT, EXIT_CODES_HELP } from './errors.ts'
import { pickLang } from './i18n/lang.ts'
import { messages } from './i18n/messages.ts'

// `roadmap list | head`: the reader left; that is the end of the output, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
    throw err
  })
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command('roadmap')
  .description('Backend katas in TypeScript or Go, graded against real PostgreSQL, Redis and RabbitMQ')
  .version(pkg.version, '-V, --version', 'the version of roadmap')
  .option('--root <dir>', 'the roadmap checkout (default: the nearest folder with harness/ and exercises/)')
  .addOption(new Option('--lang <lang>', 'interface language (default: from the locale)').choices(['en', 'ru']))
  .addOption(new Option('--track <track>', 'the language you take the roadmap in, remembered for later commands (default: the last one given, else ts)').choices(['ts', 'go']))
  .addHelpText('after', EXIT_CODES_HELP)
  .showHelpAfterError()
  // Usage errors become exceptions, so that they exit 2 (commander's own code is 1, the
  // code of a failing verdict).
  .exitOverride()

/** Numeric and shaped option values are checked where they are parsed: a bad one is a usage error. */
const wholeNumber = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v)
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}`)
  return v
}
const percent = (v: string) => {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('--min-score takes a percentage from 0 to 100')
  return v
}
const shard = (v: string) => {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim())
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InvalidArgumentError('--shard takes i/n with 1 ≤ i ≤ n, e.g. 2/3')
  return v
}
const jobs = wholeNumber('--jobs', 1, 256)

type Action = (...args: never[]) => Promise<number>
/**
 * Runs a command with the global options merged in, and turns its result into the exit
 * code. Each command's module loads only when it runs: `--help` and `list` never pay
 * for Vitest or Ink.
 */
const act =
  (load: () => Promise<Action>) =>
  async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command
    const opts = { ...program.opts(), ...cmd.opts() }
    const positional = args.slice(0, -2)
    const fn = await load()
    process.exitCode = await fn(...(positional as never[]), opts as never)
  }

program
  .command('watch', { isDefault: true })
  .description('follow your saves and grade the kata you are on (the default)')
  .option('--poll', 'poll for changes instead of file events (WSL, NFS, Docker bind mounts)')
  .option('--plain', 'plain lines instead of the full-screen interface')
  .action(act(async () => (await import('./commands/watch.ts')).watchCommand))

program
  .command('run')
  .description('run one kata and show its verdict (exit 0 only when it passes)')
  .argument('<kata>', 'kata id, e.g. redis/rate-limit')
  .option('--solution', 'grade the reference solution instead of your exercise')
  .option('--target <dir>', 'grade the exercises/ of another folder (a submission)')
  .option('--json', 'print the result as JSON')
  .action(act(async () => (await import('./commands/run.ts')).runCommand))

program
  .command('list')
  .description('every kata in roadmap order with its state')
  .option('--json', 'print as JSON')
  .action(act(async () => (await import('./commands/list.ts')).listCommand))

const collect = (v: string, prev: string[] = []) => [...prev, v]
program
  .command('verify')
  .description('authors: every solution passes, every starter fails, every mutant is rejected, the catalog is complete')
  .option('--kata <id>', 'only this kata (repeatable)', collect)
  .option('--chapter <id>', 'only this chapter (repeatable)', collect)
  .addOption(new Option('-j, --jobs <n>', 'processes to spread the katas over (default: the number of cores)').argParser(jobs))
  .addOption(new Option('--repeat <n>', 'run each mutant and alternative n times: a kill must hold every time (default 1)').argParser(wholeNumber('--repeat', 1, 100)))
  .option('--json', 'print the report as JSON')
  .addOption(new Option('--jsonl').hideHelp())
  .addOption(new Option('--shard <i/n>').hideHelp().argParser(shard))
  .action(act(async () => (await import('./commands/verify.ts')).verifyCommand))

program
  .command('hint')
  .description('the next hint for a kata (the current one by default)')
  .argument('[kata]', 'kata id')
  .option('--all', 'every hint at once')
  .action(act(async () => (await import('./commands/hint.ts')).hintCommand))

program
  .command('reset')
  .description("restore a kata's starter (your version is kept in .roadmap/backups)")
  .argument('[kata]', 'kata id')
  .option('--all', 'every kata')
  .action(act(async () => (await import('./commands/reset.ts')).resetCommand))

program.command('progress').description('chapters passed, the current kata').option('--json', 'print as JSON').action(act(async () => (await import('./commands/progress.ts')).progressCommand))
program.command('doctor').description('Node, services (where found, or how to start them), catalog, progress').option('--json', 'print as JSON').action(act(async () => (await import('./commands/doctor.ts')).doctorCommand))
program.command('env').description('service URLs as shell exports: eval "$(roadmap env)"').option('--json', 'print as JSON').action(act(async () => (await import('./commands/env.ts')).envCommand))

program
  .command('grade')
  .description("CI: grade a submission's exercises/ and write results.json, junit.xml (and the GitHub step summary)")
  .argument('<dir>', 'the submission: a folder laid out like this repository (with --many: a folder of them)')
  .option('--out <dir>', 'where the reports go', 'roadmap-results')
  .addOption(new Option('--min-score <percent>', 'exit 0 only at or above this share of the points').default('100').argParser(percent))
  .option('--kata <id>', 'only this kata (repeatable)', collect)
  .option('--chapter <id>', 'only this chapter (repeatable)', collect)
  .addOption(new Option('--shard <i/n>', 'grade only shard i of n (GitHub Actions matrix); join with `report merge`').argParser(shard))
  .option('--many', 'the folder holds one submission per student: write a gradebook (CSV, HTML, JSON)')
  .addOption(new Option('-j, --jobs <n>', 'parallel runs (default: the number of cores)').argParser(jobs))
  .option('--json', 'print results.json to stdout too')
  .option('--unsafe-same-user', 'local use only: run graded code as your own user (it could read your files and environment)')
  .action(act(async () => (await import('./commands/grade.ts')).gradeCommand))

program
  .command('report')
  .description('CI: work with reports')
  .command('merge')
  .description('join the results.json of shards into one report (results.json, junit.xml, step summary)')
  .argument('<results...>', 'results.json files or the folders holding them')
  .option('--out <dir>', 'where the merged reports go', 'roadmap-results')
  .addOption(new Option('--min-score <percent>', 'exit 0 only at or above this share of the points').default('100').argParser(percent))
  .action(act(async () => (await import('./commands/report-merge.ts')).reportMergeCommand))

program
  .command('new')
  .description('authors: scaffold a kata from the template and place it in roadmap order')
  .argument('<id>', 'the new kata id, <chapter>/<slug>')
  .option('--after <slug>', 'place it after this kata of the chapter (default: last)')
  .action(act(async () => (await import('./commands/new.ts')).newCommand))

program
  .command('schema')
  .description('authors: write schema/*.json (editor autocompletion for kata.yaml and chapter.yaml)')
  .action(act(async () => (await import('./commands/schema.ts')).schemaCommand))

/**
 * The first word that is not an option (or an option's value) must be a command:
 * `watch` is the default only when there is none, so a typo is not taken for watch's argument.
 */
function unknownCommand(argv: string[]): string | undefined {
  const valued = new Set(['--root', '--lang', '--track'])
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return undefined
    if (valued.has(a)) i++
    else if (!a.startsWith('-')) return program.commands.some((c) => c.name() === a || c.aliases().includes(a)) || a === 'help' ? undefined : a
  }
  return undefined
}

// Registered before any Vitest instance adds its own handler, which would exit with 1 (a
// verdict) and print only to the logger the runners silence: a bug of ours must say so.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`roadmap: internal error (please report it): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`)
  process.exit(EXIT.internal)
})

try {
  const args = process.argv.slice(2)
  const typo = unknownCommand(args)
  if (typo) {
    const lang = pickLang(args[args.indexOf('--lang') + 1] ?? undefined)
    throw new UserError(messages(lang).unknownCommand(typo, closest(typo, program.commands.map((c) => c.name()))))
  }
  await program.parseAsync()
} catch (err) {
  if (err instanceof UserError) {
    process.stderr.write(`${err.message}\n`)
    process.exitCode = err.exitCode
  } else if (err instanceof CommanderError) {
    // Help and --version end with 0; every other parsing error is a usage error (the message is printed already).
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage
  } else throw err
}
