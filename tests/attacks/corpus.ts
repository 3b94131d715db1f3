// The attack corpus against `grade`: one hostile kata file per kind of attack, each
// graded as its own kata of a throwaway catalog (so one grade run covers them all).
import { execFile } from 'node:child_process'
import { appendFileSync, chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { demoRoot, ROOT, tmp } from '../helpers.ts'

export const exec = promisify(execFile)
export const SECRET = 'ghp_roadmapAttackSecret4242'
const EXPECT = "(globalThis as any)[Symbol.for('expect-global')]"

/** The suite every attack kata is graded by: three tests, partial credit. */
const SUITE = (id: string) => `import { expect, it } from 'vitest'
import { add, pair } from '@kata/${id}'

it('adds', () => {
  expect(add(2, 3)).toBe(5)
})
it('pairs', () => {
  expect(pair(1, 2)).toEqual({ sum: 3, items: [1, 2] })
})
it('pairs strictly', () => {
  expect(pair(4, 5)).toStrictEqual({ sum: 9, items: [4, 5] })
})
`
const HONEST = 'export const add = (a: number, b: number) => a + b\nexport const pair = (a: number, b: number) => ({ sum: a + b, items: [a, b] })\n'
const WRONG = 'export const add = (a: number, b: number) => 0\nexport const pair = (a: number, b: number) => ({ sum: 0, items: [] as number[] })\n'

/**
 * Attacks graded in the same run: each one's code, written as a learner would. `root`
 * is the checkout (the strongest attacker knows every path).
 */
export function attacks(root: string, cls = ''): Record<string, string> {
  const solution = join(root, 'solutions/00-demo/10-honest/add.ts')
  const suite = join(root, 'harness/00-demo/10-honest/kata.test.ts')
  return {
    // Forged results from inside the worker
    'forge-fails-flag': "const fails = () => { try { (globalThis as any).__vitest_worker__.current.fails = true } catch {} }\nexport const add = (a: number, b: number) => (fails(), 0)\nexport const pair = (a: number, b: number) => (fails(), { sum: 0, items: [] as number[] })\n",
    'skip-at-run-time': "export const add = (a: number, b: number) => { const t = (globalThis as any).__vitest_worker__?.current; if (t) t.mode = 'skip'; throw Object.assign(new Error('skip'), { code: 'VITEST_PENDING' }) }\nexport const pair = (a: number, b: number) => { throw Object.assign(new Error('skip'), { code: 'VITEST_PENDING' }) }\n",
    'skip-the-rest': "export const add = (a: number, b: number) => a + b\nexport const pair = (a: number, b: number) => { throw Object.assign(new Error('skip'), { code: 'VITEST_PENDING' }) }\n",
    'wrap-process-send': `${WRONG}const send = process.send!.bind(process)\n;(process as any).send = (m: any, ...r: any[]) => send(JSON.parse(JSON.stringify(m).replaceAll('"fail"', '"pass"')), ...r)\n;(process as any)._send = () => true\n`,
    'busy-after-finish': "export const add = (a: number, b: number) => { setTimeout(() => { for (;;) {} }, 0); return 0 }\nexport const pair = () => ({ sum: 0, items: [] })\n",
    // Equality games
    'matcher-shaped-value': "export const add = () => ({ asymmetricMatch: () => true }) as any\nexport const pair = () => ({ asymmetricMatch: () => true, $$typeof: Symbol.for('jest.asymmetric.matcher') }) as any\n",
    'real-matcher-from-expect': `export const add = () => ${EXPECT}.anything()\nexport const pair = () => ({ sum: ${EXPECT}.anything(), items: ${EXPECT}.anything() })\n`,
    'proxy-that-lies': "let n = 0\nexport const add = () => 0\nexport const pair = () => new Proxy({ sum: 0, items: [] }, { has: (t, k) => (k === 'asymmetricMatch' ? n++ > 0 : k in t), get: (t: any, k) => (k === 'asymmetricMatch' ? () => true : t[k]) })\n",
    'global-equality-tester': `${EXPECT}.addEqualityTesters([() => true])\n${WRONG}`,
    'object-is-patched': `Object.is = () => true\n${WRONG}`,
    'object-keys-patched': `Object.keys = () => []\n${WRONG}`,
    'assertion-assert-patched': `const proto = Object.getPrototypeOf(${EXPECT}(1))\nproto.assert = function () {}\n${WRONG}`,
    'expect-extend': `${EXPECT}.extend({ toBe: () => ({ pass: true, message: () => '' }), toEqual: () => ({ pass: true, message: () => '' }) })\n${WRONG}`,
    'import-vitest-by-name': `import { expect } from 'vitest'\nexpect.extend({ toBe: () => ({ pass: true, message: () => '' }) })\n${WRONG}`,
    'import-vitest-by-path': `import * as v from ${JSON.stringify(join(ROOT, 'node_modules/vitest/dist/index.js'))}\n;(v as any).expect.extend({ toBe: () => ({ pass: true, message: () => '' }) })\n${WRONG}`,
    'import-chai-dynamic': `${WRONG}const name = ['ch', 'ai'].join('')\nawait import(/* @vite-ignore */ name).then((c: any) => { c.Assertion.prototype.assert = () => {} })\n`,
    'node-inspector': `import { Session } from 'node:inspector'\nnew Session()\n${WRONG}`,
    'node-vm-builtin-getter': `const vm: any = (process as any).getBuiltinModule('node:vm')\nvm.runInThisContext('Object.is = () => true')\n${WRONG}`,
    // Reading what it should not
    'import-solution': `export { add, pair } from ${JSON.stringify(solution)}\n`,
    'read-solution-and-suite': `import { readFileSync } from 'node:fs'\nlet src = ''\nfor (const f of [${JSON.stringify(solution)}]) { try { src += readFileSync(f, 'utf8') } catch (e) { console.log('denied:', (e as any).code) } }\nexport const add = (a: number, b: number) => (src.includes('a + b') ? a + b : 0)\nexport const pair = (a: number, b: number) => (src.includes('a + b') ? { sum: a + b, items: [a, b] } : { sum: 0, items: [] })\n`,
    'hard-link-outside': '',
    'kata-folder-symlink': '',
    // Voiding or spoofing
    'fake-service-unavailable': "class ServiceUnavailableError extends Error { override name = 'ServiceUnavailableError' }\nthrow new ServiceUnavailableError('PostgreSQL stopped answering')\n",
    'html-in-message': "export const add = () => 0\nexport const pair = () => ({ sum: '</td></tr></table><h1>roadmap: 100/100 points (100%)</h1><img src=x onerror=alert(1)>', items: [] })\n",
    // Secrets
    'read-grader-environment': `import { readdirSync, readFileSync } from 'node:fs'\nlet found = ''\nfor (const p of readdirSync('/proc')) { try { const e = readFileSync('/proc/' + p + '/environ', 'latin1'); if (e.includes('GITHUB_TOKEN')) found += e } catch {} }\ntry { found += readFileSync('/proc/' + process.ppid + '/environ', 'latin1') } catch {}\nconsole.log('env:', found || 'nothing', JSON.stringify(process.env))\n${WRONG}`,
    // Planting code for the next run: V8's compiled code that a later worker would load
    'plant-compile-cache': `import { readdirSync, writeFileSync } from 'node:fs'\nconst dir = process.env.NODE_COMPILE_CACHE ?? ''\nlet wrote = 0\nfor (const d of dir ? readdirSync(dir) : []) { for (const f of [...readdirSync(dir + '/' + d), 'planted']) { try { writeFileSync(dir + '/' + d + '/' + f, 'x'); wrote++ } catch {} } }\nconsole.log('cache:', dir ? (wrote ? 'written ' + wrote : 'denied') : 'none')\n${WRONG}`,
    // Leftovers
    'setsid-leftover': `import { spawn } from 'node:child_process'\nspawn('setsid', ['sh', '-c', 'sleep 2; echo pwned > ${cls ? join(cls, 'pwned') : '/tmp/roadmap-pwned'}; sleep 313.7'], { env: {}, detached: true, stdio: 'ignore' }).unref()\n${WRONG}`,
  }
}

export interface Built {
  root: string
  sub: string
  ids: string[]
}

/** A catalog with the honest kata and one kata per attack, and a submission holding the attacks. */
export function buildCorpus(kinds: (root: string) => Record<string, string>): Built {
  const root = demoRoot()
  const chapterFile = join(root, 'harness/00-demo/chapter.yaml')
  const sub = tmp('roadmap-attack-sub-')
  chmodSync(sub, 0o755)
  const names = ['honest', ...Object.keys(kinds(root))]
  names.forEach((name, i) => {
    const dir = `00-demo/${10 + i}-${name}`
    const id = `demo/${name}`
    mkdirSync(join(root, 'harness', dir), { recursive: true })
    writeFileSync(join(root, 'harness', dir, 'kata.yaml'), `id: ${id}\ntitle: { en: ${name}, ru: ${name} }\ntopics: ["start.loop"]\nfiles: [add.ts]\nbudgetMs: 30000\npoints: 10\npartialCredit: true\nhints: [{ en: Add., ru: Сложите. }, { en: "return a + b", ru: "return a + b" }]\n`)
    writeFileSync(join(root, 'harness', dir, 'kata.test.ts'), SUITE(id))
    for (const side of ['exercises', 'solutions']) mkdirSync(join(root, side, dir), { recursive: true })
    cpSync(join(root, 'exercises/00-demo/01-add/README.md'), join(root, 'exercises', dir, 'README.md'))
    cpSync(join(root, 'exercises/00-demo/01-add/README.ru.md'), join(root, 'exercises', dir, 'README.ru.md'))
    writeFileSync(join(root, 'exercises', dir, 'add.ts'), WRONG)
    writeFileSync(join(root, 'solutions', dir, 'add.ts'), HONEST)
  })
  const chapter = readFileSync(chapterFile, 'utf8').replace(/katas: \[(.*)\]/, (_m, list) => `katas: [${list}, ${names.join(', ')}]`)
  writeFileSync(chapterFile, chapter)
  const code = kinds(root)
  names.forEach((name, i) => {
    const dir = join(sub, 'exercises', `00-demo/${10 + i}-${name}`)
    if (name === 'kata-folder-symlink') {
      mkdirSync(join(sub, 'exercises/00-demo'), { recursive: true })
      return void appendFileSync(join(sub, '.links'), `${dir}\n`)
    }
    mkdirSync(dir, { recursive: true })
    if (name === 'honest') writeFileSync(join(dir, 'add.ts'), HONEST)
    else if (name !== 'hard-link-outside') writeFileSync(join(dir, 'add.ts'), code[name]!)
  })
  return { root, sub, ids: names.map((n) => `demo/${n}`) }
}
