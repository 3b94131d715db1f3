import { relative, sep } from 'node:path'
import type { Catalog, Kata } from '../catalog/types.ts'

/** Which kata a changed file belongs to: the kata whose exercises folder holds it. */
export function kataOfFile(catalog: Catalog, exercisesRoot: string, file: string): Kata | undefined {
  const rel = relative(exercisesRoot, file).split(sep).join('/')
  if (rel.startsWith('..')) return undefined
  return catalog.katas.find((k) => rel.startsWith(`${k.dir}/`))
}
