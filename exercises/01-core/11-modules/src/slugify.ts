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
  // The helpers you need are already written: fold(), collapse() and SlugError.
  void [SlugError, collapse, fold]
  throw new Error('TODO: slugify — fold, collapse, cut to maxLength, throw SlugError when empty\nTODO(ru): slugify — привести символы к ASCII, схлопнуть разделители, обрезать до maxLength, бросить SlugError, если результат пуст')
}
