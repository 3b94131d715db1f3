// Package slugs turns any text into a short, URL-safe slug: lower-case Latin
// letters and digits joined by a separator, as in "creme-brulee-2-pcs".
//
// Make is the whole API; Options tunes it and ErrEmpty reports a text that
// leaves nothing to make a slug of.
package slugs
