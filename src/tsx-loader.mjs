// tsx's loader, registered once and only where Node cannot load a file itself: the Ink
// screen's .tsx files, or every source on a Node without type stripping (older than 22.18).
// Node strips the sources' types natively at about twice tsx's speed (its hooks run every
// import through another thread). Plain JavaScript: bin/roadmap.js loads it before any source.
import { fileURLToPath } from 'node:url'

const REGISTERED = Symbol.for('roadmap.tsx-registered')

/** Registers tsx with the harness's own tsconfig (JSX for the Ink screen), whatever the working directory. */
export async function useTsx() {
  if (Reflect.get(globalThis, REGISTERED)) return
  Reflect.set(globalThis, REGISTERED, true)
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
}

/** Can this Node load the sources (erasable TypeScript) without tsx? */
export const nodeStripsTypes = () => !!process.features.typescript
