// Package fold holds the text helpers of package slugs. Being under internal/,
// it can be imported only from inside this module.
package fold

// TODO: move Fold and Collapse here from slug.go (see README.md).
