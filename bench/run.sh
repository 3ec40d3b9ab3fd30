#!/usr/bin/env bash
# bench/run.sh is `make bench`: it measures the generator against baselines
# run on the same machine in the same run, and the packages' go benchmarks.
#
# Sections (one function each, run in this order; BENCH_SECTIONS picks):
#   sites   generate 1k and 10k page corpora with ../shared/bench/gen_corpus.py
#           and time a cold `playbook build` and `playbook check` against
#           (a) bench/floor, goldmark alone, and (b) Hugo when installed
#   gotest  `go test -bench` on the packages that have benchmarks, with
#           PLAYBOOK_BENCH_CORPUS set to the 10k corpus for those that ask
#
# To add a section: write section_NAME, add NAME to BENCH_SECTIONS' default.
# To add go benchmarks elsewhere than tracker/ and generator/, add the
# pattern to GOTEST_PATTERNS.
#
# Environment:
#   BENCH_SECTIONS  sections to run (default "sites gotest")
#   BENCH_RUNS      measured runs per tool and corpus (default 5), after
#                   one warm-up run that is not counted
#   BENCH_PAGES     corpus sizes (default "1000 10000")
#   BENCH_COUNT     go test -count (default 5)
#   BENCH_TMP       where corpora and outputs go (default: mktemp -d, so
#                   $TMPDIR or /tmp); every run's output is kept until the
#                   end, about 6 GB with the defaults
#   PLAYBOOK        the binary to measure (default bin/playbook)
#   GEN_CORPUS      the corpus generator (default ../shared/bench/gen_corpus.py
#                   beside the repository)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
BENCH_SECTIONS=${BENCH_SECTIONS:-"sites serve gotest"}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_PAGES=${BENCH_PAGES:-"1000 10000"}
BENCH_COUNT=${BENCH_COUNT:-5}
PLAYBOOK=${PLAYBOOK:-$ROOT/bin/playbook}
GEN_CORPUS=${GEN_CORPUS:-$ROOT/../shared/bench/gen_corpus.py}
GOTEST_PATTERNS=(./tracker/... ./generator/...)
TIME=/usr/bin/time

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/playbook-bench.XXXXXX")
# shellcheck source=../.ci/postgres.sh
source "$ROOT/.ci/postgres.sh"
trap 'playbook_pg_stop; rm -rf "$WORK"' EXIT

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# corpus PAGES prints the path of a generated corpus of PAGES pages,
# writing it on first use.
corpus() {
	local site=$WORK/corpus$1
	if [[ ! -d $site ]]; then
		[[ -f $GEN_CORPUS ]] || die "no corpus generator at $GEN_CORPUS: check out the shared/ directory beside the repository (or set GEN_CORPUS)"
		command -v python3 >/dev/null || die "python3 is needed to generate the corpora"
		python3 "$GEN_CORPUS" --pages "$1" --out "$site" >&2
	fi
	echo "$site"
}

# ---------------------------------------------------------------- timing

# measure NAME PAGES CMD...: runs CMD once under /usr/bin/time and appends
# "NAME PAGES wall_s maxrss_kb user_s sys_s" to $SAMPLES. CMD's output
# goes to $WORK/last.log; a failing CMD stops the bench.
measure() {
	local name=$1 pages=$2
	shift 2
	if ! "$TIME" -f '%e %M %U %S' -o "$WORK/time" "$@" >"$WORK/last.log" 2>&1; then
		cat "$WORK/last.log" >&2
		die "$name on $pages pages failed: $*"
	fi
	echo "$name $pages $(cat "$WORK/time")" >>"${SAMPLES:-$WORK/samples}"
}

# fresh_out prints a new, not yet existing output path in a new temp dir:
# every build is cold.
fresh_out() {
	local d
	d=$(mktemp -d "$WORK/out.XXXXXX")
	echo "$d/public"
}

# flush_out flushes the writes of the run before, so that its write-back
# does not land in the next run's time. It does not delete the outputs:
# they go with $WORK at the end. On an ext4 without a journal (this
# machine's), the inode allocator skips every inode freed in the last
# minute, looking each one up; deleting a 20,000-inode output just before
# the next tool ran tripled every tool's system time (floor 2.1 s against
# 8.7 s on 10k pages), a cost a cold build does not have.
flush_out() {
	sync
}

# summary prints a markdown table of medians from $WORK/samples: wall
# time, peak RSS, CPU% = (user+sys)/wall, user and system CPU seconds, and
# wall time as a ratio of the floor's and of playbook build's on the same
# corpus. Each column is its own median, so user+sys need not match CPU%.
summary() {
	awk '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 2; i <= n; i++) {            # insertion sort, n is small
			t = a[i] + 0
			for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
			a[j + 1] = t
		}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		k = $1 SUBSEP $2
		if (!(k in seen)) { seen[k] = 1; order[++m] = k }
		vals[k "wall"] = vals[k "wall"] " " $3
		vals[k "rss"] = vals[k "rss"] " " $4 / 1024
		vals[k "cpu"] = vals[k "cpu"] " " ($5 + $6) / ($3 > 0 ? $3 : 0.01) * 100
		vals[k "user"] = vals[k "user"] " " $5
		vals[k "sys"] = vals[k "sys"] " " $6
		runs[k]++
	}
	END {
		print "| pages | tool | runs | wall median (s) | peak RSS median (MiB) | CPU% median | user s | sys s | wall / floor | wall / build |"
		print "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= m; i++) {
			k = order[i]; split(k, p, SUBSEP); tool = p[1]; pages = p[2]
			w = median(k "wall")
			fl = ("floor" SUBSEP pages) in seen ? median("floor" SUBSEP pages "wall") : 0
			bd = ("playbook-build" SUBSEP pages) in seen ? median("playbook-build" SUBSEP pages "wall") : 0
			printf "| %s | %s | %d | %.2f | %.0f | %.0f | %.2f | %.2f | %s | %s |\n", pages, tool, runs[k], w,
				median(k "rss"), median(k "cpu"), median(k "user"), median(k "sys"),
				fl ? sprintf("%.2fx", w / fl) : "-", bd ? sprintf("%.2fx", w / bd) : "-"
		}
	}' "$WORK/samples"
}

# ---------------------------------------------------------------- tools
# Each run_TOOL SITE OUT builds the corpus at SITE into the new path OUT.

run_floor() { measure floor "$PAGES" "$WORK/floor" -s "$1" -d "$2"; }

run_build() {
	measure playbook-build "$PAGES" "$PLAYBOOK" build -q -s "$1" -d "$2"
}

run_check() { measure playbook-check "$PAGES" "$PLAYBOOK" check -s "$1"; }

# run_bare builds the corpus with a bare theme (see bare_site): what the
# build costs beyond the floor when templates cost next to nothing.
run_bare() {
	measure playbook-build-bare "$PAGES" "$PLAYBOOK" build -q -s "$(bare_site "$1")" -d "$2"
}

# bare_site SITE prints the path of SITE with a layouts/ that replaces
# the default theme by a page as bare as the floor's: the title and the
# body, on every kind of page (no navigation, lists or forms). Everything
# else is as in playbook-build: front matter, link and anchor checks,
# taxonomies, search index, sitemap, RSS, catalog. The copy is made of
# hard links, once.
bare_site() {
	local bare=$1-bare layout
	if [[ ! -d $bare ]]; then
		cp -al "$1" "$bare"
		mkdir -p "$bare/layouts"
		cat >"$bare/layouts/baseof.html" <<-'EOF'
			<!doctype html>
			<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
			<body><main>{{block "main" .}}{{end}}</main></body></html>
		EOF
		for layout in home section taxonomy term page practice questions script; do
			echo '{{define "main"}}<h1>{{.Title}}</h1>{{.Content}}{{end}}' >"$bare/layouts/$layout.html"
		done
		echo '<!doctype html><title>Page not found</title>' >"$bare/layouts/404.html"
	fi
	echo "$bare"
}

run_hugo() {
	measure hugo "$PAGES" hugo --quiet --noBuildLock -s "$1" -d "$2" \
		--config "$WORK/hugo/hugo.toml" --themesDir "$WORK/hugo/themes" --theme bench \
		--cacheDir "$WORK/hugo/cache"
}

# hugo_site writes the Hugo configuration and a minimal theme the corpus is
# built with: one template per kind of page, the pages of a list paginated
# by 50 as Playbook does, the same taxonomies, a sitemap and RSS for the
# home page only (Playbook writes one sitemap.xml and one index.xml), and
# goldmark with the extensions Playbook turns on.
hugo_site() {
	local t=$WORK/hugo/themes/bench/layouts/_default
	mkdir -p "$t" "$WORK/hugo/cache"
	cat >"$WORK/hugo/hugo.toml" <<-'EOF'
		baseURL = "/"
		title = "Bench"
		paginate = 50
		disableHugoGeneratorInject = true
		enableRobotsTXT = true
		[taxonomies]
		  tag = "tags"
		  category = "categories"
		  role = "roles"
		  moment = "moments"
		[outputs]
		  home = ["HTML", "RSS"]
		  section = ["HTML"]
		  taxonomy = ["HTML"]
		  term = ["HTML"]
		[markup.goldmark.parser]
		  autoHeadingID = true
		  [markup.goldmark.parser.attribute]
		    block = true
		    title = true
		[markup.goldmark.extensions]
		  definitionList = true
		  footnote = true
		  linkify = true
		  strikethrough = true
		  table = true
		  taskList = true
		  typographer = true
	EOF
	cat >"$t/baseof.html" <<-'EOF'
		<!doctype html>
		<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
		<body><main>{{ block "main" . }}{{ end }}</main></body></html>
	EOF
	cat >"$t/single.html" <<-'EOF'
		{{ define "main" }}<h1>{{ .Title }}</h1>
		{{ .Content }}{{ end }}
	EOF
	cat >"$t/list.html" <<-'EOF'
		{{ define "main" }}<h1>{{ .Title }}</h1>
		{{ .Content }}
		<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
	EOF
}

# ---------------------------------------------------------------- sections

section_sites() {
	[[ -x $TIME ]] || die "$TIME is needed (apt-get install time)"
	if [[ ! -x $PLAYBOOK ]]; then
		note "building $PLAYBOOK"
		(cd "$ROOT" && "$GO" build -o "$PLAYBOOK" ./cmd/playbook)
	fi
	(cd "$ROOT" && "$GO" build -o "$WORK/floor" ./bench/floor)

	local tools=(floor build bare)
	if "$PLAYBOOK" check --help >/dev/null 2>&1; then
		tools+=(check)
	else
		note "playbook has no check command: skipping playbook check"
	fi
	if command -v hugo >/dev/null; then
		hugo_site
		tools+=(hugo)
		note "hugo: $(hugo version)"
	else
		note "hugo not found: skipping the Hugo baseline (apt-get install -y hugo to measure it)"
	fi

	: >"$WORK/samples"
	for PAGES in $BENCH_PAGES; do
		local site
		site=$(corpus "$PAGES")

		# Warm-up: corpus into the page cache, binaries loaded; it must
		# build with zero problems. Not counted.
		local tool
		for tool in "${tools[@]}"; do
			SAMPLES=$WORK/warm-up "run_$tool" "$site" "$(fresh_out)"
			flush_out
		done

		# Measured runs, interleaved so that a burst of load on the
		# machine spreads over every tool instead of hitting one.
		local i
		for ((i = 1; i <= BENCH_RUNS; i++)); do
			note "$PAGES pages: round $i of $BENCH_RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))"
			for tool in "${tools[@]}"; do
				"run_$tool" "$site" "$(fresh_out)"
				flush_out
			done
		done
	done

	echo
	echo "## Sites ($(nproc) cores, load at end $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	summary
	echo
}

section_gotest() {
	local pkgs=() pkg dir
	while read -r pkg dir; do
		if grep -lqs '^func Benchmark' "$dir"/*_test.go; then
			pkgs+=("$pkg")
		fi
	done < <(cd "$ROOT" && "$GO" list -f '{{.ImportPath}} {{.Dir}}' "${GOTEST_PATTERNS[@]}")
	if ((${#pkgs[@]} == 0)); then
		note "no package under ${GOTEST_PATTERNS[*]} has benchmarks"
		return
	fi
	local big=${PLAYBOOK_BENCH_CORPUS:-}
	[[ -n $big ]] || big=$(corpus 10000)
	# The tracker's store and web benchmarks run on PostgreSQL next to
	# SQLite in the same run: start a throwaway cluster unless one is given.
	if [[ -z ${PLAYBOOK_TEST_POSTGRES:-} ]] && ! playbook_pg_start >&2; then
		note "no PostgreSQL: its benchmarks are skipped"
	fi
	note "go test -bench on ${pkgs[*]} (PLAYBOOK_BENCH_CORPUS=$big)"
	if ! (cd "$ROOT" && PLAYBOOK_BENCH_CORPUS=$big "$GO" test -run '^$' -bench . -benchmem \
		-count "$BENCH_COUNT" "${pkgs[@]}") |
		tee "$WORK/gotest.txt" >&2; then
		note "go test -bench failed; medians below cover what ran"
	fi
	echo
	echo "## Go benchmarks (medians of $BENCH_COUNT)"
	echo
	# benchstat when the module proxy can give it; our own medians otherwise.
	if ! (cd "$WORK" && "$GO" run golang.org/x/perf/cmd/benchstat@latest gotest.txt 2>/dev/null); then
		note "benchstat unavailable: printing medians of ns/op"
		awk '$1 ~ /^Benchmark/ && $4 == "ns/op" { v[$1] = v[$1] " " $3; if (!($1 in s)) { s[$1] = 1; o[++m] = $1 } }
		END {
			for (i = 1; i <= m; i++) {
				n = split(v[o[i]], a, " ")
				for (x = 2; x <= n; x++) for (y = x; y > 1 && a[y - 1] + 0 > a[y] + 0; y--) { t = a[y]; a[y] = a[y - 1]; a[y - 1] = t }
				printf "%-60s %14.0f ns/op (median of %d)\n", o[i], n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2, n
			}
		}' "$WORK/gotest.txt"
	fi
}

# serve: from a one-page body edit on the 10k corpus to the moment open
# pages are told to reload, median of 20 edits: playbook serve (the
# devserver benchmark: real watcher, Builder and event stream) next to
# `hugo server` on the same corpus and page, timed until Hugo logs the end
# of its rebuild ("Total in"), just before it sends its own reload.
section_serve() {
	local big=${PLAYBOOK_BENCH_CORPUS:-}
	[[ -n $big ]] || big=$(corpus 10000)
	note "playbook serve: 20 edits on $big"
	(cd "$ROOT" && PLAYBOOK_BENCH_CORPUS=$big "$GO" test -run '^$' -bench 'EditToReload' \
		-benchtime 20x -count 1 ./generator/devserver) | tee "$WORK/serve.txt" >&2
	local ours
	ours=$(awk '{ for (i = 2; i <= NF; i++) if ($i == "ms-edit-to-reload") print $(i - 1) }' "$WORK/serve.txt")
	echo
	echo "## Live reload after a one-page body edit (10k pages, median of 20 edits)"
	echo
	echo "| tool | edit to reload (ms) |"
	echo "|--|--:|"
	echo "| playbook serve | ${ours:-failed} |"
	if ! command -v hugo >/dev/null 2>&1; then
		note "hugo not installed: skipping hugo server (apt-get install -y hugo)"
		echo "| hugo server | skipped: hugo not installed |"
		return
	fi
	hugo_site
	local site=$WORK/hugo-serve log=$WORK/hugo-serve.log
	rm -rf "$site" && cp -r "$big" "$site" && rm -rf "$site/public"
	local page
	page=$site/$(cd "$site" && find content -name '*.md' ! -name '_index.md' | sort | awk 'NR == 1')
	(cd "$site" && exec hugo server --port $((30000 + RANDOM % 20000)) --bind 127.0.0.1 \
		--config "$WORK/hugo/hugo.toml" --themesDir "$WORK/hugo/themes" --theme bench \
		--cacheDir "$WORK/hugo/cache" >"$log" 2>&1) &
	local pid=$!
	local i
	for i in $(seq 1 600); do
		grep -q "Web Server is available" "$log" && break
		sleep 0.5
	done
	if ! grep -q "Web Server is available" "$log"; then
		note "hugo server did not start: $(tail -n 3 "$log")"
		kill "$pid" 2>/dev/null
		echo "| hugo server | failed to start |"
		return
	fi
	local orig times=() n start end waited
	orig=$(cat "$page")
	for i in $(seq 1 20); do
		sleep 0.7
		n=$(grep -c "Total in" "$log" || true)
		start=$(date +%s%N)
		if ((i % 2)); then
			printf '%s\n\nOne more sentence for edit %d.\n' "$orig" "$i" >"$page"
		else
			printf '%s\n' "$orig" >"$page"
		fi
		waited=0
		while (($(grep -c "Total in" "$log" || true) <= n)) && ((waited < 6000)); do
			sleep 0.005
			waited=$((waited + 1))
		done
		end=$(date +%s%N)
		times+=($(((end - start) / 1000000)))
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	local median
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	echo "| hugo server $(hugo version | cut -d' ' -f2) | $median |"
}

# ---------------------------------------------------------------- main

echo "# playbook bench, $(date -u +%Y-%m-%dT%H:%MZ), $("$GO" version | cut -d' ' -f3-), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $BENCH_SECTIONS; do
	declare -F "section_$s" >/dev/null || die "no section $s (have: $(declare -F | awk '$3 ~ /^section_/ { sub("section_", "", $3); printf "%s ", $3 }'))"
	"section_$s"
done
