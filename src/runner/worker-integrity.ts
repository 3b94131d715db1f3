// Loaded by the worker's setup before the suite (and so before the code under test):
// what grading relies on is captured and frozen here, while only harness code has run.
import { types } from 'node:util'
import { chai } from 'vitest'

const MATCHERS = Symbol.for('$$jest-matchers-object')
const GLOBAL_EXPECT = Symbol.for('expect-global')

/** Makes existing properties unchangeable: they can no longer be replaced or redefined. */
function lock(target: object, names: PropertyKey[] = Reflect.ownKeys(target)) {
  for (const name of names) {
    const d = Reflect.getOwnPropertyDescriptor(target, name)
    if (!d || !d.configurable) continue
    Reflect.defineProperty(target, name, 'value' in d ? { value: d.value, writable: false, enumerable: d.enumerable, configurable: false } : { get: d.get, set: d.set, enumerable: d.enumerable, configurable: false })
  }
}

/** Set on globalThis once frozen: one flag for every copy of this module a worker loads (the preload's, and the setup's should the preload have failed after freezing). */
const FRAMEWORK_FROZEN = Symbol.for('roadmap:framework-frozen')

/**
 * The built-ins the assertions compare with (Object.is, key listing, iteration, call
 * and apply) and chai's Assertion methods: locked, so code under test cannot make a
 * comparison lie. (Checking afterwards does not do: a patch can behave whenever a check
 * probes it.) Once per worker: the preload does it while the worker waits, off the run's
 * clock (chai's Assertion alone takes ~4 ms).
 */
export function freezeFramework() {
  if (Object.hasOwn(globalThis, FRAMEWORK_FROZEN)) return
  // Unchangeable, and set before any code under test runs: it cannot be forged or cleared.
  Object.defineProperty(globalThis, FRAMEWORK_FROZEN, { value: true })
  lock(Object, ['is', 'keys', 'values', 'entries', 'assign', 'getOwnPropertyNames', 'getOwnPropertySymbols', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors', 'getPrototypeOf', 'setPrototypeOf', 'defineProperty', 'defineProperties', 'freeze', 'isFrozen', 'create', 'hasOwn'])
  lock(Array, ['isArray', 'from', 'of'])
  lock(Array.prototype, ['every', 'some', 'map', 'filter', 'forEach', 'includes', 'indexOf', 'join', 'push', 'pop', 'slice', 'sort', 'keys', 'values', 'entries', 'reduce', 'find', 'findIndex', 'concat', Symbol.iterator])
  lock(Reflect)
  lock(Number, ['isNaN', 'isInteger'])
  for (const C of [Map, Set]) lock(C.prototype, ['has', 'get', 'keys', 'values', 'entries', 'forEach', 'size', Symbol.iterator])
  lock(Symbol, ['for', 'iterator', 'asyncIterator', 'hasInstance'])
  lock(Error, ['captureStackTrace'])
  guardEqualityMatchers()
  // Neither a matcher nor `assert` can be swapped.
  lock(chai.Assertion.prototype)
  lock(chai.Assertion)
  lock(chai.util)
  lock(chai)
}

/**
 * Before each suite: the framework (if the preload has not), and what Vitest makes per run:
 * its expect, the custom equality testers and matcher table, the worker's channel.
 */
export function freezeGrading() {
  freezeFramework()
  // Matcher tables and expect exist only once the run has started.
  lock(globalThis, ['isNaN', 'Object', 'Array', 'Reflect', 'Function', 'Map', 'Set', 'Symbol', 'Error', MATCHERS, GLOBAL_EXPECT, Symbol.for('matchers-object'), Symbol.for('asymmetric-matchers-object')])
  const expect = (globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] as object | undefined
  if (expect) lock(expect)
  const state = (globalThis as Record<symbol, { matchers: object; customEqualityTesters: unknown[] } | undefined>)[MATCHERS]
  if (state) {
    // No equality tester of the graded code's; no matcher of its own under a known name.
    Object.freeze(state.customEqualityTesters)
    lock(state.matchers)
  }
  freezeChannel()
}

/**
 * The worker reports to the grader over its IPC channel; Vitest captured `process.send`
 * when the worker started. Code under test can no longer send, wrap or replace it.
 */
function freezeChannel() {
  // Locked, not removed: Node and Vitest still reach them at teardown.
  lock(process, ['send', '_send', 'reallyExit'])
  // The import refusal (alias plugin) by another door: Node's built-in module getter.
  const get = process.getBuiltinModule?.bind(process)
  if (get) {
    const refused = /^(node:)?(inspector(\/promises)?|v8|vm|worker_threads|module|repl|trace_events|wasi)$/
    Reflect.defineProperty(process, 'getBuiltinModule', {
      value: (id: string) => {
        if (refused.test(id)) throw new Error(`code under test may not load "${id}" (it reaches into the runtime that grades it)`)
        return get(id)
      },
      writable: false,
      configurable: false,
    })
  }
}

/** Matchers that compare with `equals`, where a value shaped like a matcher would answer for itself. */
const EQUALITY = ['toEqual', 'toStrictEqual', 'toMatchObject', 'toContainEqual', 'toHaveProperty', 'toContain', 'toBe', 'equal', 'equals', 'eq', 'eql', 'eqls', 'toHaveBeenCalledWith', 'toHaveBeenLastCalledWith', 'toHaveBeenNthCalledWith', 'toHaveReturnedWith', 'toHaveLastReturnedWith', 'toHaveNthReturnedWith', 'toHaveBeenCalledExactlyOnceWith', 'toSatisfy', 'toBeOneOf']

/** Matchers whose answer is about which object it is, not what it holds. */
const IDENTITY = new Set(['toBe', 'toContain'])

/**
 * The value under test is compared as data: before a matcher runs, it is copied once
 * (own enumerable properties, same prototypes; getters and proxies read once), and a
 * copy holding anything with `asymmetricMatch` (which `equals` would let decide for
 * itself) is refused. The matcher then compares the copy.
 */
function guardEqualityMatchers() {
  const proto = chai.Assertion.prototype as unknown as Record<string, unknown>
  for (const name of EQUALITY) {
    if (typeof Reflect.getOwnPropertyDescriptor(proto, name)?.value !== 'function') continue
    chai.util.overwriteMethod(chai.Assertion.prototype, name, (_super: (...args: unknown[]) => unknown) =>
      function (this: object, ...args: unknown[]) {
        const actual = chai.util.flag(this, 'object') as unknown
        if (typeof actual === 'function' && 'mock' in actual) {
          const mock = (actual as unknown as { mock: { calls: unknown[]; results: unknown[] } }).mock
          snapshot([mock.calls, mock.results])
        } else {
          const copy = snapshot(actual)
          // Identity matchers compare the very object (a copy is never `toBe` the original); only a proxy, which could answer differently later, is replaced.
          if (!IDENTITY.has(name) || types.isProxy(actual)) chai.util.flag(this, 'object', copy)
        }
        return _super.apply(this, args)
      },
    )
  }
}

export class MatcherShapedValueError extends Error {
  override name = 'AssertionError'
}

const KEEP = (v: object) => v instanceof Date || v instanceof RegExp || v instanceof Error || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet

/**
 * A data copy of `value` (see guardEqualityMatchers); throws on a matcher-shaped value.
 * Plain objects, arrays, Maps, Sets and proxies are copied; class instances are kept
 * (their methods may need their private fields) and only checked, all the way down.
 */
function snapshot(value: unknown): unknown {
  const seen = new Map<object, unknown>()
  let budget = 200_000
  const plain = (o: object) => {
    const p = Object.getPrototypeOf(o)
    return p === null || p === Object.prototype || p === Array.prototype || p === Map.prototype || p === Set.prototype
  }
  const copy = (v: unknown, depth: number, keep: boolean): unknown => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v
    const o = v as object
    if (seen.has(o)) return seen.get(o)
    if (--budget < 0 || depth > 200) return v
    if ('asymmetricMatch' in o || (o as { $$typeof?: unknown }).$$typeof === Symbol.for('jest.asymmetric.matcher')) {
      throw new MatcherShapedValueError('the value under test is shaped like a test matcher (it has asymmetricMatch): code under test must return data, and a value that decides its own equality is refused')
    }
    const proxy = types.isProxy(o)
    if (typeof v === 'function' || (KEEP(o) && !proxy)) {
      seen.set(o, o)
      return o
    }
    // Kept as it is (a class instance, or inside one): checked, not copied.
    const asIs = keep || (!proxy && !plain(o))
    if (v instanceof Map && !proxy) {
      const m = asIs ? v : new Map()
      seen.set(o, m)
      for (const [k, val] of v) {
        const ck = copy(k, depth + 1, asIs)
        const cv = copy(val, depth + 1, asIs)
        if (!asIs) m.set(ck, cv)
      }
      return m
    }
    if (v instanceof Set && !proxy) {
      const s = asIs ? v : new Set()
      seen.set(o, s)
      for (const val of v) {
        const cv = copy(val, depth + 1, asIs)
        if (!asIs) s.add(cv)
      }
      return s
    }
    const out: Record<PropertyKey, unknown> = asIs ? (o as Record<PropertyKey, unknown>) : Array.isArray(o) ? Object.setPrototypeOf(new Array((o as unknown[]).length), Object.getPrototypeOf(o)) : Object.create(Object.getPrototypeOf(o))
    seen.set(o, out)
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key)
      if (!d || !d.enumerable) continue
      if (asIs && !('value' in d)) continue // a getter of a kept object is not called
      const c = copy(asIs ? d.value : (o as Record<PropertyKey, unknown>)[key], depth + 1, asIs)
      if (!asIs) out[key] = c
    }
    return out
  }
  return copy(value, 0, false)
}
