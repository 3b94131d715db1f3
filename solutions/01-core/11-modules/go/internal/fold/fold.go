// Package fold holds the text helpers of package slugs. Being under internal/,
// it can be imported only from inside this module: the go command refuses any
// other importer, so these helpers can change freely.
package fold

import "strings"

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
