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
			if line == 0 {
				line = pe.Line
			}
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

// suggest returns the candidate closest to s by edit distance, if close
// enough to be a likely typo.
func suggest(s string, candidates []string) string {
	best, bestDist := "", len(s)/2+2
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
