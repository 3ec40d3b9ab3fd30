package generator

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// decodeTOML decodes src strictly into v: syntax errors, type errors and
// unknown keys all become problems positioned in file, with lineOffset
// added to line numbers (for front matter that starts below line 1).
// known lists the keys that are allowed, for "did you mean" hints.
func decodeTOML(src []byte, v any, file string, lineOffset int, known []string) []Problem {
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := pe.Position.Line, pe.Position.Col
			msg := pe.Message
			if pe.LastKey != "" && !strings.Contains(msg, pe.LastKey) {
				msg = fmt.Sprintf("%s: %s", pe.LastKey, msg)
			}
			if line == 0 && pe.LastKey != "" {
				line, col = keyLine(src, strings.Split(pe.LastKey, "."))
			}
			return []Problem{{File: file, Line: offsetLine(line, lineOffset), Col: col, Msg: "toml: " + msg}}
		}
		// Decoding errors (a string where a number belongs) are not
		// ParseErrors but say "line N (last key "k"): ...".
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		line := 0
		if m := decodeErrPattern.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2] + ": " + m[3]
		}
		return []Problem{{File: file, Line: offsetLine(line, lineOffset), Col: min(line, 1), Msg: msg}}
	}
	var ps []Problem
	for _, key := range md.Undecoded() {
		line, col := keyLine(src, key)
		msg := fmt.Sprintf("unknown key %q", key.String())
		if len(key) == 1 {
			if s := suggest(key[0], known); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			}
		}
		ps = append(ps, Problem{File: file, Line: offsetLine(line, lineOffset), Col: col, Msg: msg})
	}
	return ps
}

func offsetLine(line, offset int) int {
	if line <= 0 {
		return offset + 1
	}
	return line + offset
}

var decodeErrPattern = regexp.MustCompile(`^line (\d+) \(last key "([^"]*)"\): (.*)$`)

// keyLine finds where key is defined in TOML source: the line of its
// table header or of its "key =" line inside the right table. It is a
// best effort for error positions; 0 when not found.
func keyLine(src []byte, key toml.Key) (line, col int) {
	var table []string
	for i, raw := range strings.Split(string(src), "\n") {
		s := strings.TrimSpace(raw)
		indent := len(raw) - len(strings.TrimLeft(raw, " \t")) + 1
		if strings.HasPrefix(s, "[") {
			name := strings.Trim(s, "[] \t")
			if j := strings.IndexByte(name, '#'); j >= 0 {
				name = strings.TrimSpace(strings.Trim(name[:j], "[] \t"))
			}
			table = splitKey(name)
			if slices.Equal(table, key) {
				return i + 1, indent
			}
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			continue
		}
		full := append(slices.Clone(table), splitKey(strings.TrimSpace(s[:eq]))...)
		if len(full) >= len(key) && slices.Equal(full[:len(key)], key) {
			return i + 1, indent
		}
	}
	return 0, 0
}

func splitKey(s string) []string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return parts
}

// suggest returns the candidate closest to s, if close enough to be a
// likely typo: one edit (a transposition counts as one) for short words,
// a few more for long ones.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 2+len(s)/5
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
