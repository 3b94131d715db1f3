import { Command, Option } from 'commander'
import { UserError } from './commands/context.ts'

const program = new Command('roadmap')
  .description('Backend katas in TypeScript, graded against real PostgreSQL, Redis and RabbitMQ')
  .option('--root <dir>', 'the roadmap checkout (default: the nearest folder with harness/ and exercises/)')
  .addOption(new Option('--lang <lang>', 'interface language (default: from the locale)').choices(['en', 'ru']))
  .showHelpAfterError()

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
  .option('-j, --jobs <n>', 'processes to spread the katas over (default: the number of cores)')
  .option('--repeat <n>', 'run each mutant and alternative n times: a kill must hold every time (default 1)')
  .option('--json', 'print the report as JSON')
  .addOption(new Option('--jsonl').hideHelp())
  .addOption(new Option('--shard <i/n>').hideHelp())
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
  .option('--min-score <percent>', 'exit 0 only at or above this share of the points', '100')
  .option('--kata <id>', 'only this kata (repeatable)', collect)
  .option('--chapter <id>', 'only this chapter (repeatable)', collect)
  .option('--shard <i/n>', 'grade only shard i of n (GitHub Actions matrix); join with `report merge`')
  .option('--many', 'the folder holds one submission per student: write a gradebook (CSV, HTML, JSON)')
  .option('-j, --jobs <n>', 'parallel runs (default: the number of cores)')
  .option('--json', 'print results.json to stdout too')
  .action(act(async () => (await import('./commands/grade.ts')).gradeCommand))

program
  .command('report')
  .description('CI: work with reports')
  .command('merge')
  .description('join the results.json of shards into one report (results.json, junit.xml, step summary)')
  .argument('<results...>', 'results.json files or the folders holding them')
  .option('--out <dir>', 'where the merged reports go', 'roadmap-results')
  .option('--min-score <percent>', 'exit 0 only at or above this share of the points', '100')
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

try {
  await program.parseAsync()
} catch (err) {
  if (err instanceof UserError) {
    process.stderr.write(`${err.message}\n`)
    process.exitCode = err.exitCode
  } else throw err
}
