package devserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/playbook-dev/playbook/generator"
	"github.com/playbook-dev/playbook/generator/watch"
)

// Watch rebuilds the site with b after every batch of changes w reports,
// then reloads open pages or shows the problems, until ctx is done. A
// build that fails keeps the last good site.
func (s *Server) Watch(ctx context.Context, b *generator.Builder, w *watch.Watcher) error {
	return w.Run(ctx, func(batch []string) {
		changed := batch
		if slices.Contains(batch, watch.Everything) {
			changed = nil
		}
		upd, err := b.Build(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		s.Publish(batch, upd, err)
	})
}

// Publish reports one build: a line in the log and an event to the open
// pages. changed are the source paths that caused it (nil: the first).
func (s *Server) Publish(changed []string, upd *generator.Update, err error) {
	var problems generator.Problems
	switch {
	case errors.As(err, &problems):
		for _, p := range problems {
			s.log.Error(p.String())
		}
		s.log.Error("rebuild failed; serving the last good site", "changed", summarise(changed),
			"problems", len(problems))
		s.Fail(problems)
	case err != nil:
		s.log.Error("rebuild failed; serving the last good site", "changed", summarise(changed), "err", err)
		s.Fail(generator.Problems{{Msg: err.Error()}})
	default:
		s.log.Info("rebuilt", "changed", summarise(changed), "rendered", upd.Rendered,
			"written", len(upd.Written), "removed", len(upd.Removed), "incremental", upd.Incremental,
			"converted", upd.Converted, "ms", upd.Duration.Milliseconds())
		s.Reload(upd.Written, upd.Removed)
	}
}

// summarise names up to three changed paths and counts the rest.
func summarise(changed []string) string {
	if changed == nil {
		return "everything"
	}
	if len(changed) <= 3 {
		return strings.Join(changed, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(changed[:3], ", "), len(changed)-3)
}
