package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/playbook-dev/playbook/tracker"
)

const teamUsage = `team add|list|rotate|remove [NAME] [--db PATH|DSN] [--base-url URL]

  add NAME      create a team and print its join link
  list          list the teams
  rotate NAME   give a team a new join link; the old one stops working
  remove NAME   remove a team; its reports are kept in the history`

func (m *Main) runTeam(ctx context.Context, args []string) error {
	fs := m.flagSet("team", teamUsage)
	dsn := fs.String("db", m.envDefault("db", defaultTrackerDB), "SQLite file, sqlite:PATH, or postgres://... (env PLAYBOOK_DB)")
	baseURL := fs.String("base-url", m.envDefault("base-url", "http://localhost:8080/track"),
		"the tracker's public URL, for the printed join link (env PLAYBOOK_BASE_URL)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: want add, list, rotate or remove", errUsage)
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	wantName := verb != "list"
	switch {
	case verb != "add" && verb != "list" && verb != "rotate" && verb != "remove":
		return fmt.Errorf("%w: unknown team command %q (want add, list, rotate or remove)", errUsage, verb)
	case wantName && len(rest) != 1:
		return fmt.Errorf("%w: team %s wants one NAME (quote a name with spaces)", errUsage, verb)
	case !wantName && len(rest) != 0:
		return fmt.Errorf("%w: team list takes no arguments", errUsage)
	}
	link, err := joinLinker(*baseURL)
	if err != nil {
		return err
	}
	var name string
	if wantName {
		name = rest[0]
		if err := tracker.ValidateTeamName(name); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}

	db, err := m.openTrackerDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	switch verb {
	case "add":
		tok, hash, err := tracker.NewJoinToken()
		if err != nil {
			return err
		}
		if _, err := db.CreateTeam(ctx, name, hash); err != nil {
			if errors.Is(err, tracker.ErrConflict) {
				return fmt.Errorf("team %q already exists; use `playbook team rotate` for a new link", name)
			}
			return fmt.Errorf("add team %q: %w", name, err)
		}
		m.Logger.Info("team added", "team", name)
		fmt.Fprintf(m.Stdout, "Team %q added. Its join link (share it with the team only):\n\n  %s\n", name, link(tok))
	case "rotate":
		tok, hash, err := tracker.NewJoinToken()
		if err != nil {
			return err
		}
		if err := db.SetTeamToken(ctx, name, hash); err != nil {
			if errors.Is(err, tracker.ErrNotFound) {
				return fmt.Errorf("no team %q", name)
			}
			return fmt.Errorf("rotate team %q: %w", name, err)
		}
		m.Logger.Info("team link rotated", "team", name)
		fmt.Fprintf(m.Stdout, "Team %q has a new join link; the old one no longer works:\n\n  %s\n", name, link(tok))
	case "remove":
		if err := db.RemoveTeam(ctx, name); err != nil {
			if errors.Is(err, tracker.ErrNotFound) {
				return fmt.Errorf("no team %q", name)
			}
			return fmt.Errorf("remove team %q: %w", name, err)
		}
		m.Logger.Info("team removed", "team", name)
		fmt.Fprintf(m.Stdout, "Team %q removed; its reports stay in the history and exports.\n", name)
	case "list":
		teams, err := db.Teams(ctx)
		if err != nil {
			return fmt.Errorf("list teams: %w", err)
		}
		if len(teams) == 0 {
			fmt.Fprintln(m.Stdout, "No teams yet. Add one with: playbook team add NAME")
			return nil
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TEAM\tCREATED\tPAGE")
		for _, t := range teams {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.CreatedAt.UTC().Format("2006-01-02"),
				strings.TrimSuffix(*baseURL, "/")+"/teams/"+url.PathEscape(t.Name))
		}
		return tw.Flush()
	}
	return nil
}

// joinLinker checks the tracker's base URL and returns a function that
// makes a join link from a token.
func joinLinker(base string) (func(token string) string, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("%w: --base-url %q: want the tracker's URL, e.g. https://playbook.example.org/track", errUsage, base)
	}
	return func(token string) string {
		return u.String() + "/join?token=" + url.QueryEscape(token)
	}, nil
}
