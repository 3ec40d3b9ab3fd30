package tracker_test

import (
	"bytes"
	"testing"

	"github.com/playbook-dev/playbook/tracker"
)

func TestJoinTokensAreFreshAndNormalize(t *testing.T) {
	tok, hash, err := tracker.NewJoinToken()
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, _ := tracker.NewJoinToken()
	if tok == tok2 {
		t.Fatal("two join tokens are equal")
	}
	if len(tok) != tracker.JoinTokenLen || !bytes.Equal(hash, tracker.HashJoinToken(tok)) {
		t.Fatalf("token %q (len %d), hash mismatch", tok, len(tok))
	}
	tests := []struct {
		name, in, want string
	}{
		{"as issued", tok, tok},
		{"spaces and case", "  " + string(bytes.ToUpper([]byte(tok))) + "\n", tok},
		{"whole link", "https://p.example.org/track/join?token=" + tok, tok},
		{"link with more query", "https://p.example.org/track/join?token=" + tok + "&x=1", tok},
		{"too short", tok[:20], ""},
		{"not base32", tok[:25] + "1", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tracker.NormalizeJoinToken(tt.in); got != tt.want {
				t.Errorf("NormalizeJoinToken(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateTeamName(t *testing.T) {
	for _, ok := range []string{"alpha", "Team Alpha", "sales-emea_2", "Équipe Nord", "a.b"} {
		if err := tracker.ValidateTeamName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", " alpha", "alpha ", "-x", "a/b", "../etc", "<script>", "a\nb",
		string(bytes.Repeat([]byte("a"), tracker.MaxTeamNameLen+1))} {
		if err := tracker.ValidateTeamName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
