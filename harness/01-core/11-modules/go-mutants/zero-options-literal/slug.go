// Mutant: Make uses the Options fields as given: the zero Options cuts every slug to 0 bytes.
package slugs

import (
	"errors"
	"fmt"
	"strings"

	"roadmap/core/slugs/internal/fold"
)

// ErrEmpty is the error of Make for a text with no Latin letter or digit in it.
// Check for it with errors.Is.
var ErrEmpty = errors.New("slugs: nothing to make a slug of")

// Options tunes Make. The zero value is ready to use: MaxLength 0 means 64 and
// an empty Separator means "-".
type Options struct {
	// MaxLength is the most bytes a slug may have.
	MaxLength int
	// Separator goes between the words of a slug.
	Separator string
}

// Make returns the slug of text: folded to lower-case Latin (accents removed),
// every run of other characters turned into one Separator, cut to MaxLength
// without a separator at the end. When nothing is left it returns an error
// for which errors.Is(err, ErrEmpty) holds.
func Make(text string, opt Options) (string, error) {
	maxLength, sep := opt.MaxLength, opt.Separator
	if sep == "" {
		sep = "-"
	}
	slug := fold.Collapse(fold.Fold(text), sep)
	if len(slug) > maxLength {
		slug = strings.TrimRight(slug[:maxLength], sep)
	}
	if slug == "" {
		return "", fmt.Errorf("%w: %q", ErrEmpty, text)
	}
	return slug, nil
}
