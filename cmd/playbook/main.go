// Command playbook builds a folder of markdown coaching playbooks into a
// static site, serves it with live reload, and runs the adoption tracker.
//
// This package is the one composition root: it reads flags and the
// environment, sets up logging and wires the generator and the tracker.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
)

// version is set at link time by the Makefile.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	m.TuneGC = func() func() { return tuneGC(m.Getenv("GOGC"), m.Getenv("GOMEMLIMIT")) }
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the whole program, with its outside world injected so that tests
// can run it end to end.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	Logger *slog.Logger
	// TuneGC, if not nil, sets the garbage collector for a one-off build
	// or check and returns what undoes it. Only the real process sets it:
	// the settings are the process's, and tests run builds side by side.
	TuneGC func() (restore func())
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"build", "build the site into the destination directory", m.runBuild},
		{"check", "validate the site without writing anything", m.runCheck},
		{"serve", "build and serve the site with live reload, and the tracker at /track/", m.runServe},
		{"new", "create a content file with valid front matter", m.runNew},
		{"track", "run the adoption tracker; export, back up or migrate its data", m.runTrack},
		{"team", "add, list, rotate or remove tracker teams and their join links", m.runTeam},
		{"version", "print the version", m.runVersion},
	}
}

// errUsage marks an error in how the command was called (exit code 2).
var errUsage = errors.New("usage")

// errProblems marks a run that reported problems already printed (exit 1).
var errProblems = errors.New("problems found")

// Run runs the command line args and returns the process exit code:
// 0 on success, 1 on failure, 2 on a usage error.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) > 1 && !isHelp(args[1]) {
			return m.Run(ctx, []string{args[1], "--help"})
		}
		m.usage(m.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range m.commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:])
		switch {
		case err == nil || errors.Is(err, pflag.ErrHelp):
			return 0
		case errors.Is(err, errProblems):
			return 1
		case errors.Is(err, errUsage):
			fmt.Fprintf(m.Stderr, "playbook %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(m.Stderr, "playbook %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(m.Stderr, "playbook: unknown command %q\n\n", args[0])
	m.usage(m.Stderr)
	return 2
}

// isHelp reports whether a first argument asks for help.
func isHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "Playbook turns a folder of markdown coaching playbooks into a static site,")
	fmt.Fprintln(w, "and tracks which practices teams have adopted.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: playbook <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range m.commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "playbook <command> --help" for a command's flags.`)
}

// flagSet returns a pflag set for a subcommand that prints its usage on
// --help and returns errors instead of exiting.
func (m *Main) flagSet(name, usage string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(m.Stdout, "Usage: playbook %s\n\nFlags:\n%s", usage, fs.FlagUsages())
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// envDefault returns the environment variable PLAYBOOK_<NAME> if set, for
// flags that may also come from the environment.
func (m *Main) envDefault(name, fallback string) string {
	key := "PLAYBOOK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if v := m.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func (m *Main) runVersion(ctx context.Context, args []string) error {
	fs := m.flagSet("version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "playbook %s\n", version)
	return nil
}
