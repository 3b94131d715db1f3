package slugs

import (
	"errors"
	"strings"
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
	// TODO: fold, collapse, cut (see README.md).
	return "", nil
}

// The helpers below work, but they are exported from package slugs: every
// module that imports slugs may call them (see README.md).

var accents = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "æ", "ae",
	"ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ñ", "n",
	"ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y", "ß", "ss",
)

// Fold lower-cases s and replaces the accented Latin letters with plain ones.
func Fold(s string) string {
	return accents.Replace(strings.ToLower(s))
}

// Collapse turns every run of characters other than a-z and 0-9 into one sep,
// with no sep at either end.
func Collapse(s, sep string) string {
	var b strings.Builder
	pending := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if pending && b.Len() > 0 {
				b.WriteString(sep)
			}
			pending = false
			b.WriteRune(r)
			continue
		}
		pending = true
	}
	return b.String()
}
