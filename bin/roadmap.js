#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`roadmap needs Node.js 22.12 or newer (24 preferred); this is ${process.version}.`)
  process.exit(2)
}

// Commands that run suites load Vitest (and the watch screen, Ink). Loaded here, before
// tsx's loader hooks are in place, they load natively: ~0.5 s sooner to the first verdict.
const command = process.argv.slice(2).find((a) => !a.startsWith('-'))
if (!command || ['watch', 'run', 'verify', 'grade'].includes(command)) {
  const preload = [import('vitest/node')]
  if ((!command || command === 'watch') && process.stdout.isTTY && process.stdin.isTTY && !process.env.CI) preload.push(import('ink'), import('react'))
  await Promise.all(preload)
}

const { register } = await import('tsx/esm/api')
// The harness's own tsconfig (JSX for the Ink screen), whatever the working directory.
register({ tsconfig: new URL('../tsconfig.json', import.meta.url).pathname })
await import('../src/cli.ts')
