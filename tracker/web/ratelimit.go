package web

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a token bucket: Burst requests at once, then one per Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// Limits are the rate limits on writes (reports, join codes, admin login).
type Limits struct {
	// PerIP limits each client address; default 30 at once, then 1 a second.
	PerIP Rate
	// PerTeam limits each team's reports; default 20 at once, then 1 every
	// 3 seconds.
	PerTeam Rate
	// MaxKeys bounds how many addresses and teams are remembered; default 10000.
	MaxKeys int
	// Off disables rate limiting (benchmarks).
	Off bool
}

func (l Limits) withDefaults() Limits {
	if l.PerIP.Burst <= 0 || l.PerIP.Every <= 0 {
		l.PerIP = Rate{Burst: 30, Every: time.Second}
	}
	if l.PerTeam.Burst <= 0 || l.PerTeam.Every <= 0 {
		l.PerTeam = Rate{Burst: 20, Every: 3 * time.Second}
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = 10000
	}
	return l
}

// limiter keeps one token bucket per key in a bounded map.
type limiter struct {
	rate Rate
	max  int
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate Rate, max int, now func() time.Time) *limiter {
	return &limiter{rate: rate, max: max, now: now, buckets: make(map[string]*bucket)}
}

// allow takes a token for key; when there is none it returns false and how
// long until there will be one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[key] = b
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(float64(l.rate.Burst), b.tokens+float64(d)/float64(l.rate.Every))
		b.last = now
	}
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.rate.Every))
	}
	b.tokens--
	return true, 0
}

// evict forgets buckets that have refilled (they hold no information),
// and if that frees nothing, the least recently used one.
func (l *limiter) evict(now time.Time) {
	full := time.Duration(l.rate.Burst) * l.rate.Every
	var oldKey string
	var old time.Time
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
			continue
		}
		if oldKey == "" || b.last.Before(old) {
			oldKey, old = k, b.last
		}
	}
	if len(l.buckets) >= l.max {
		delete(l.buckets, oldKey)
	}
}

// clientIP is the address rate limits key on.
func (h *Handler) clientIP(r *http.Request) string {
	if h.cfg.TrustForwardedFor {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allowIP applies the per-address limit, answering 429 when it is spent.
func (h *Handler) allowIP(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := h.ipLimit.allow(h.clientIP(r))
	if !ok {
		h.tooMany(w, r, wait)
	}
	return ok
}

// allowTeam applies the per-team limit, answering 429 when it is spent.
func (h *Handler) allowTeam(w http.ResponseWriter, r *http.Request, team string) bool {
	ok, wait := h.teamLim.allow(team)
	if !ok {
		h.log.Warn("team rate limited", "team", team)
		h.tooMany(w, r, wait)
	}
	return ok
}

func (h *Handler) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	h.fail(w, r, http.StatusTooManyRequests, "Too many reports in a short time. Wait a moment and send it again.")
}
