package generator

import (
	"fmt"
	"regexp"
	"strings"
)

// Kinds of content page (front matter "kind").
const (
	KindPractice  = "practice"
	KindQuestions = "questions"
	KindScript    = "script"
	KindPage      = "page"
)

// The content model's enumerations, in display order.
var (
	Kinds    = []string{KindPractice, KindQuestions, KindScript, KindPage}
	Roles    = []string{"executive", "sales-leader", "head-of-coaching", "manager", "rep"}
	Moments  = []string{"one-to-one", "joint-call", "pre-call", "post-call", "huddle", "pipeline-review", "team-meeting", "any"}
	Cadences = []string{"per-call", "daily", "weekly", "biweekly", "monthly", "quarterly"}
)

// labels are how enumerated values read on the site.
var labels = map[string]string{
	KindPractice: "Practice", KindQuestions: "Question set", KindScript: "Resistance script", KindPage: "Page",
	"executive": "Executive", "sales-leader": "Sales leader", "head-of-coaching": "Head of coaching",
	"manager": "Manager", "rep": "Rep",
	"one-to-one": "One-to-one", "joint-call": "Joint call", "pre-call": "Pre-call planning",
	"post-call": "Post-call debrief", "huddle": "Huddle", "pipeline-review": "Pipeline review",
	"team-meeting": "Team meeting", "any": "Any time",
	"per-call": "Every call", "daily": "Daily", "weekly": "Weekly", "biweekly": "Every two weeks",
	"monthly": "Monthly", "quarterly": "Quarterly",
}

// Label is the display label of an enumerated value.
func Label(v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}

// reviewDays is how long an adoption stays fresh without re-confirmation,
// by cadence: long enough to have done the practice several times.
var reviewDays = map[string]int{
	"per-call": 14, "daily": 14, "weekly": 30, "biweekly": 45, "monthly": 60, "quarterly": 120,
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// EffectiveReviewAfterDays is review_after_days, or the cadence's default.
func (p *Page) EffectiveReviewAfterDays() int {
	if p.ReviewAfterDays > 0 {
		return p.ReviewAfterDays
	}
	return reviewDays[p.Cadence]
}

// checkKind validates a page against its kind's rules, before markdown.
func checkKind(p *Page, problems *problemList) {
	at := func(key string) int { return keyLineIn(p, key) }
	bad := func(key, format string, args ...any) {
		problems.add(p.File, at(key), 1, format, args...)
	}
	kind := p.Kind
	if kind == "" {
		kind = KindPage
	}
	if !oneOf(kind, Kinds) {
		bad("kind", "%s", enumMessage("kind", kind, Kinds))
		return
	}
	if p.ID != "" && !idPattern.MatchString(p.ID) {
		bad("id", "id %q must be a lower-case slug (a-z, 0-9 and single hyphens)", p.ID)
	}
	for _, r := range p.Roles {
		if !oneOf(r, Roles) {
			bad("roles", "%s", enumMessage("role", r, Roles))
		}
	}
	for _, m := range p.Moments {
		if !oneOf(m, Moments) {
			bad("moments", "%s", enumMessage("moment", m, Moments))
		}
	}
	if p.Cadence != "" && !oneOf(p.Cadence, Cadences) {
		bad("cadence", "%s", enumMessage("cadence", p.Cadence, Cadences))
	}
	if p.Minutes < 0 {
		bad("minutes", "minutes must not be negative")
	}
	if p.ReviewAfterDays < 0 {
		bad("review_after_days", "review_after_days must not be negative")
	}
	require := func(key string, missing bool) {
		if missing {
			problems.add(p.File, 1, 1, "%s page needs %q in its front matter", kind, key)
		}
	}
	switch kind {
	case KindPractice:
		require("id", p.ID == "")
		require("roles", len(p.Roles) == 0)
		require("moments", len(p.Moments) == 0)
		require("cadence", p.Cadence == "")
		if len(p.Signals) == 0 {
			problems.add(p.File, 1, 1, "practice has no signals: list the observable signs that a team has adopted it")
		}
	case KindQuestions:
		require("id", p.ID == "")
		require("moments", len(p.Moments) == 0)
	case KindScript:
		require("says", strings.TrimSpace(p.Says) == "")
	}
	if kind != KindPractice {
		for _, key := range []string{"cadence", "signals", "minutes", "review_after_days"} {
			if definedIn(p, key) {
				bad(key, "%q is only for practices, not %s pages", key, kind)
			}
		}
	}
	if kind != KindScript && p.Says != "" {
		bad("says", "\"says\" is only for scripts, not %s pages", kind)
	}
}

// checkRelated reports related ids that name no page.
func checkRelated(p *Page, problems *problemList) {
	for _, id := range p.Related {
		if p.Site.byID[id] == nil {
			msg := fmt.Sprintf("related id %q: no page has this id", id)
			if s := suggest(id, idsOf(p.Site)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			problems.add(p.File, keyLineIn(p, "related"), 1, "%s", msg)
		}
	}
}

func idsOf(s *Site) []string {
	out := make([]string, 0, len(s.byID))
	for id := range s.byID {
		out = append(out, id)
	}
	return out
}

func definedIn(p *Page, key string) bool {
	switch key {
	case "cadence":
		return p.Cadence != ""
	case "signals":
		return len(p.Signals) > 0
	case "minutes":
		return p.Minutes != 0
	case "review_after_days":
		return p.ReviewAfterDays != 0
	}
	return false
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// enumMessage names the bad value, the valid ones and the likeliest fix.
func enumMessage(what, v string, valid []string) string {
	msg := fmt.Sprintf("%s %q", what, v)
	if s := suggest(v, valid); s != "" {
		msg += fmt.Sprintf(": did you mean %q?", s)
	} else {
		msg += " is not valid"
	}
	return msg + " (valid: " + strings.Join(valid, ", ") + ")"
}
