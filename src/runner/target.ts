import { join, resolve } from 'node:path'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { TargetKind } from '../results/model.ts'

/** Where `@kata/<id>` points: a folder holding kata folders laid out like exercises/. */
export interface Target {
  kind: TargetKind
  root: string
}

export const exercisesTarget = (catalog: Catalog): Target => ({ kind: 'exercises', root: join(catalog.root, 'exercises') })
export const solutionsTarget = (catalog: Catalog): Target => ({ kind: 'solutions', root: join(catalog.root, 'solutions') })
export const submissionTarget = (dir: string): Target => ({ kind: 'submission', root: resolve(dir, 'exercises') })

export const kataFolder = (target: Target, kata: Kata) => join(target.root, kata.dir)
export const learnerFiles = (target: Target, kata: Kata) => kata.files.map((f) => join(target.root, kata.dir, f))
