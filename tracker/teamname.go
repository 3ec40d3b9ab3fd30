package tracker

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxTeamNameLen is the longest team name, in bytes.
const MaxTeamNameLen = 64

// ValidateTeamName checks a team name: 1 to 64 bytes of letters, digits,
// spaces, '-', '_' and '.', starting with a letter or digit. Names appear
// in URLs, cookies and CSV files, so the allowlist is strict.
func ValidateTeamName(name string) error {
	if name == "" || len(name) > MaxTeamNameLen || !utf8.ValidString(name) {
		return fmt.Errorf("team name must be 1 to %d characters", MaxTeamNameLen)
	}
	for i, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r)
		if i > 0 {
			ok = ok || r == ' ' || r == '-' || r == '_' || r == '.'
		}
		if !ok {
			return fmt.Errorf("team name %q: use letters, digits, spaces, '-', '_' and '.', starting with a letter or digit", name)
		}
	}
	if name[len(name)-1] == ' ' {
		return fmt.Errorf("team name %q ends with a space", name)
	}
	return nil
}
