import { SlugError } from './errors.ts'
import { collapse, fold } from './internal/normalize.ts'

export interface SlugOptions {
  /** Longest slug to return (default 64); a cut never leaves a separator at the end. */
  maxLength?: number
  /** Between words (default "-"). */
  separator?: string
}

/** "Crème Brûlée, 2 pcs" → "creme-brulee-2-pcs". Throws SlugError when nothing is left. */
export function slugify(text: string, options: SlugOptions = {}): string {
  const { maxLength = 64, separator = '-' } = options
  let slug = collapse(fold(text), separator)
  if (slug.length > maxLength) {
    slug = slug.slice(0, maxLength)
    slug = slug.replace(/-+$/, '')
  }
  if (!slug) throw new SlugError(text)
  return slug
}
