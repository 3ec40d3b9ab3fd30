package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/playbook-dev/playbook/generator"
)

func (m *Main) runNew(ctx context.Context, args []string) error {
	usage := "new practice|questions|script|page PATH [-s SRC]"
	fs := m.flagSet("new", usage)
	src := fs.StringP("source", "s", ".", "site root: the directory holding content/")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: want a kind (%s) and a path, e.g. playbook new practice practices/weekly-review.md",
			errUsage, strings.Join(generator.Kinds, ", "))
	}
	path, err := generator.NewPage(*src, fs.Arg(0), fs.Arg(1), m.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Created %s\n", path)
	return nil
}
