package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/playbook-dev/playbook/generator"
)

func (m *Main) runCheck(ctx context.Context, args []string) error {
	fs := m.flagSet("check", "check [-s SRC] [--format text|json]")
	src := fs.StringP("source", "s", ".", "site root: the directory holding site.toml and content/")
	format := fs.String("format", "text", "output format: text (file:line:col: message) or json")
	drafts := fs.BoolP("drafts", "D", false, "check pages marked draft = true too")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json, not %q", errUsage, *format)
	}
	if m.TuneGC != nil {
		defer m.TuneGC()()
	}
	res, err := generator.Build(ctx, generator.Options{Source: *src, Drafts: *drafts, CheckOnly: true, Now: m.Now})
	var problems generator.Problems
	if err != nil && !errors.As(err, &problems) {
		return err
	}
	if *format == "json" {
		if problems == nil {
			problems = generator.Problems{}
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Problems generator.Problems `json:"problems"`
			Pages    int                `json:"pages"`
		}{problems, res.Pages}); err != nil {
			return err
		}
	} else {
		printProblems(m.Stdout, problems)
		if len(problems) == 0 {
			fmt.Fprintf(m.Stdout, "ok: %d pages, %d practices, no problems\n", res.Pages, res.Practices)
		} else {
			fmt.Fprintf(m.Stdout, "%d %s\n", len(problems), plural(len(problems), "problem"))
		}
	}
	if len(problems) > 0 {
		return errProblems
	}
	return nil
}
