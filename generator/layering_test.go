package generator_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDataFlowsOneWay keeps the architecture honest: the generator writes
// catalog.json and never imports the tracker; the tracker reads the catalog
// and imports nothing else of the generator.
func TestDataFlowsOneWay(t *testing.T) {
	const mod = "github.com/playbook-dev/playbook"
	deps := func(pattern string) map[string][]string {
		t.Helper()
		out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, pattern).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pattern, err)
		}
		m := map[string][]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			m[f[0]] = f[1:]
		}
		return m
	}
	for pkg, ds := range deps(mod + "/generator/...") {
		for _, d := range ds {
			if d == mod+"/tracker" || strings.HasPrefix(d, mod+"/tracker/") {
				t.Errorf("%s imports %s: the generator must not depend on the tracker", pkg, d)
			}
		}
	}
	for pkg, ds := range deps(mod + "/tracker/...") {
		for _, d := range ds {
			if strings.HasPrefix(d, mod+"/generator") && d != mod+"/generator/catalog" {
				t.Errorf("%s imports %s: the tracker may use only generator/catalog", pkg, d)
			}
		}
	}
	for pkg, ds := range deps(mod + "/generator/catalog") {
		for _, d := range ds {
			if strings.Contains(d, ".") && !strings.HasPrefix(d, "vendor/") {
				t.Errorf("%s imports %s: the catalog contract uses the standard library only", pkg, d)
			}
		}
	}
}
