package generator

import (
	"bytes"
	"errors"
)

// frontMatterKeys are the keys a page's front matter may use, for suggestions.
var frontMatterKeys = []string{"title", "date", "lastmod", "draft", "weight", "summary", "slug",
	"aliases", "tags", "categories", "id", "kind", "params", "roles", "moments", "cadence",
	"minutes", "signals", "related", "review_after_days", "says"}

const fence = "+++"

// errNoClosingFence is returned by SplitFrontMatter for an unterminated block.
var errNoClosingFence = errors.New("front matter: no closing +++ line")

// errYAMLFrontMatter is returned for --- front matter, which Playbook does
// not read, so that the mistake is named instead of rendered as text.
var errYAMLFrontMatter = errors.New("front matter: YAML (---) is not supported; use TOML between +++ lines")

// SplitFrontMatter separates TOML front matter between "+++" lines from the
// body. bodyLine is the 1-based line where the body starts. A file without
// front matter is all body.
func SplitFrontMatter(src []byte) (front, body []byte, bodyLine int, err error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	switch string(bytes.TrimRight(first, " \t\r")) {
	case fence:
	case "---":
		return nil, src, 1, errYAMLFrontMatter
	default:
		return nil, src, 1, nil
	}
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		next := len(rest) + 1
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
			next = off + end + 1
		}
		if string(bytes.TrimRight(l, " \t\r")) == fence {
			if next > len(rest) {
				return rest[:off], nil, line + 1, nil
			}
			return rest[:off], rest[next:], line + 1, nil
		}
		off = next
		line++
	}
	return nil, nil, 1, errNoClosingFence
}
