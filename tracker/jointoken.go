package tracker

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
)

// joinEncoding spells join tokens in lower-case base32 without padding, so
// a token survives being read aloud, typed, or pasted into a chat.
var joinEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// JoinTokenLen is the length of a join token as NewJoinToken spells it.
const JoinTokenLen = 26 // 128 bits in base32

// NewJoinToken returns a fresh 128-bit join token from crypto/rand and the
// SHA-256 hash that the store keeps instead of the token.
func NewJoinToken() (token string, hash []byte, err error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("join token: %w", err)
	}
	token = joinEncoding.EncodeToString(b[:])
	return token, HashJoinToken(token), nil
}

// NormalizeJoinToken trims and lower-cases what a person typed or pasted,
// and extracts the token from a whole join link ("...?token=abc"). It
// returns "" when the result cannot be a token.
func NormalizeJoinToken(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "token="); i >= 0 {
		s = s[i+len("token="):]
		if j := strings.IndexAny(s, "&# "); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(s) != JoinTokenLen {
		return ""
	}
	if _, err := joinEncoding.DecodeString(s); err != nil {
		return ""
	}
	return s
}

// HashJoinToken returns the SHA-256 hash under which a token is stored.
func HashJoinToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
