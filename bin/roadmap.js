#!/usr/bin/env node
// Runs the TypeScript sources directly: no build step.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`roadmap needs Node.js 22.12 or newer (24 preferred); this is ${process.version}.`)
  process.exit(2)
}
const { register } = await import('tsx/esm/api')
// The harness's own tsconfig (JSX for the Ink screen), whatever the working directory.
register({ tsconfig: new URL('../tsconfig.json', import.meta.url).pathname })
await import('../src/cli.ts')
