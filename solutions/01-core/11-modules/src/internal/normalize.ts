// Internal helpers of the package: used by slugify.ts, not part of the public API.

/** Lower case, accents removed: "Crème" → "creme". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
}

/** Every run of characters other than a-z and 0-9 becomes one separator; none at the ends. */
export function collapse(text: string, separator: string): string {
  return text
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join(separator)
}
