// Types for node-runtime.mjs, which stays plain JavaScript so that old Node versions parse
// it; TypeScript asks it the same questions (doctor's Node line, the tests).

/** A Node on disk: its folder and version. */
export interface NodeOnDisk {
  dir: string
  version: string
}

/** The oldest Node roadmap runs on, as [major, minor]. */
export const NEED: readonly [number, number]
/** The major version roadmap fetches when the running Node is too old. */
export const WANT_MAJOR: number
/** Is this Node version (`v22.12.0` or `22.12.0`) one roadmap runs on? */
export function newEnough(version: string): boolean
export function nodePackage(platform?: NodeJS.Platform | string, arch?: NodeJS.Architecture | string): string | undefined
export function cacheDir(env?: NodeJS.ProcessEnv): string
export function cachedNode(cache?: string, pkg?: string | null): NodeOnDisk | undefined
export function manualSteps(pkg?: string | null): string
export function fetchNode(cache?: string, pkg?: string): NodeOnDisk
export function currentNode(): (NodeOnDisk & { fetched: boolean }) | undefined
export function envFor(dir: string, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv
export function ensureNode(): Promise<void>
