import { Command, Option } from 'commander'
import { UserError } from './commands/context.ts'
import { listCommand } from './commands/list.ts'
import { runCommand } from './commands/run.ts'
import { verifyCommand } from './commands/verify.ts'

const program = new Command('roadmap')
  .description('Backend katas in TypeScript, graded against real PostgreSQL, Redis and RabbitMQ')
  .option('--root <dir>', 'the roadmap checkout (default: the nearest folder with harness/ and exercises/)')
  .addOption(new Option('--lang <lang>', 'interface language (default: from the locale)').choices(['en', 'ru']))
  .showHelpAfterError()

type Action = (...args: never[]) => Promise<number>
/** Runs a command with the global options merged in, and turns its result into the exit code. */
const act =
  <A extends Action>(fn: A) =>
  async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command
    const opts = { ...program.opts(), ...cmd.opts() }
    const positional = args.slice(0, -2)
    process.exitCode = await fn(...(positional as never[]), opts as never)
  }

program
  .command('run')
  .description('run one kata and show its verdict (exit 0 only when it passes)')
  .argument('<kata>', 'kata id, e.g. redis/rate-limit')
  .option('--solution', 'grade the reference solution instead of your exercise')
  .option('--target <dir>', 'grade the exercises/ of another folder (a submission)')
  .option('--json', 'print the result as JSON')
  .action(act(runCommand))

program
  .command('list')
  .description('every kata in roadmap order with its state')
  .option('--json', 'print as JSON')
  .action(act(listCommand))

const collect = (v: string, prev: string[] = []) => [...prev, v]
program
  .command('verify')
  .description('authors: every solution passes, every starter fails, the catalog is complete')
  .option('--kata <id>', 'only this kata (repeatable)', collect)
  .option('--chapter <id>', 'only this chapter (repeatable)', collect)
  .option('-j, --jobs <n>', 'parallel runs (default: the number of cores)')
  .option('--json', 'print the report as JSON')
  .action(act(verifyCommand))

try {
  await program.parseAsync()
} catch (err) {
  if (err instanceof UserError) {
    process.stderr.write(`${err.message}\n`)
    process.exitCode = err.exitCode
  } else throw err
}
