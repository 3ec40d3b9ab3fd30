package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/playbook-dev/playbook/tracker"
)

// The charts are plain SVG written by the templates from these numbers:
// no chart library, no script, no inline style (the CSP forbids it);
// colours come from classes in style.css.

// bar is a horizontal stacked bar: adopted, then trying, out of all teams.
type bar struct {
	Width, Height  int
	Adopted, Tried int // widths in pixels
	Label          string
}

func newBar(adopted, trying, teams int) bar {
	b := bar{Width: 160, Height: 14}
	if teams > 0 {
		b.Adopted = adopted * b.Width / teams
		b.Tried = trying * b.Width / teams
	}
	b.Label = fmt.Sprintf("%d of %d teams adopted, %d trying", adopted, teams, trying)
	return b
}

// lineChart is adoption over time: one step line per status.
type lineChart struct {
	Width, Height int
	Left, Right   int // x of the plot area's edges
	Top, Bottom   int // y of the plot area's edges
	Lines         []chartLine
	YTicks        []tick
	XTicks        []tick
	Empty         bool
	Desc          string
}

type chartLine struct {
	Class  string
	Label  string
	Points string
	EndX   int
	EndY   int
	Last   int
}

type tick struct {
	X, Y  int
	Label string
}

var chartStatuses = []tracker.Status{tracker.Adopted, tracker.Trying, tracker.Dropped}

func newLineChart(history []tracker.DayCounts, now time.Time) lineChart {
	c := lineChart{Width: 720, Height: 260, Left: 48, Right: 720 - 120, Top: 12, Bottom: 260 - 28}
	if len(history) == 0 {
		c.Empty = true
		return c
	}
	t0 := history[0].Day.UTC()
	t1 := now.UTC().Truncate(24 * time.Hour)
	if last := history[len(history)-1].Day.UTC(); t1.Before(last) {
		t1 = last
	}
	if !t1.After(t0) {
		t1 = t0.Add(24 * time.Hour)
	}
	maxV := 1
	for _, d := range history {
		for _, s := range chartStatuses {
			maxV = max(maxV, d.Counts[s])
		}
	}
	span := float64(t1.Sub(t0))
	x := func(t time.Time) int {
		return c.Left + int(float64(t.Sub(t0))/span*float64(c.Right-c.Left))
	}
	y := func(v int) int {
		return c.Bottom - v*(c.Bottom-c.Top)/maxV
	}
	var desc []string
	for _, s := range chartStatuses {
		var pts strings.Builder
		prev := -1
		for _, d := range history {
			v, xi := d.Counts[s], x(d.Day)
			if prev >= 0 {
				fmt.Fprintf(&pts, "%d,%d ", xi, y(prev))
			}
			fmt.Fprintf(&pts, "%d,%d ", xi, y(v))
			prev = v
		}
		fmt.Fprintf(&pts, "%d,%d", c.Right, y(prev))
		c.Lines = append(c.Lines, chartLine{Class: "line-" + string(s), Label: string(s),
			Points: pts.String(), EndX: c.Right + 6, EndY: y(prev) + 4, Last: prev})
		desc = append(desc, fmt.Sprintf("%s %d", s, prev))
	}
	spreadLabels(c.Lines, c.Top+4)
	for _, v := range []int{0, maxV / 2, maxV} {
		c.YTicks = append(c.YTicks, tick{X: c.Left - 6, Y: y(v) + 4, Label: strconv.Itoa(v)})
	}
	c.XTicks = []tick{
		{X: c.Left, Y: c.Bottom + 18, Label: t0.Format("2006-01-02")},
		{X: c.Right, Y: c.Bottom + 18, Label: t1.Format("2006-01-02")},
	}
	c.Desc = fmt.Sprintf("Team-practice pairs by status from %s to %s; now: %s.",
		t0.Format("2006-01-02"), t1.Format("2006-01-02"), strings.Join(desc, ", "))
	return c
}

// spreadLabels moves the end-of-line labels apart vertically so that lines
// ending at the same value keep readable labels.
func spreadLabels(lines []chartLine, top int) {
	const gap = 14
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return lines[a].EndY - lines[b].EndY })
	prev := top - gap
	for _, i := range idx {
		if lines[i].EndY < prev+gap {
			lines[i].EndY = prev + gap
		}
		prev = lines[i].EndY
	}
}
