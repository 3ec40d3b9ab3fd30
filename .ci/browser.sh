#!/usr/bin/env bash
# Browser test tools: Debian's chromium and axe-core.
#
# Source it from .ci/run before `make test`:
#
#   source .ci/browser.sh
#
# It installs chromium with apt-get when it is missing (apt-get update runs
# once), installs axe-core with npm into a cache directory outside the
# repository, and exports:
#
#   PLAYBOOK_CHROMIUM   the browser the tests drive
#   PLAYBOOK_AXE_JS     axe.min.js, injected into pages by the tests
#
# With CI=true the browser tests fail instead of skipping when either is
# missing, so a failure here shows up as a failing test, not a silent skip.

playbook_browser_setup() {
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	if ! command -v chromium >/dev/null 2>&1; then
		echo "browser.sh: installing chromium with apt-get" >&2
		$sudo apt-get update || return 1
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || return 1
	fi
	PLAYBOOK_CHROMIUM=$(command -v chromium) || return 1
	export PLAYBOOK_CHROMIUM

	local cache="${PLAYBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/playbook}/axe"
	local axe="$cache/node_modules/axe-core/axe.min.js"
	if [ ! -f "$axe" ]; then
		if ! command -v npm >/dev/null 2>&1; then
			echo "browser.sh: installing npm with apt-get" >&2
			$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y npm || return 1
		fi
		echo "browser.sh: installing axe-core into $cache" >&2
		mkdir -p "$cache" || return 1
		npm install --prefix "$cache" --no-audit --no-fund --no-save axe-core@4 || return 1
	fi
	export PLAYBOOK_AXE_JS="$axe"
	echo "browser.sh: $("$PLAYBOOK_CHROMIUM" --version 2>/dev/null), axe-core at $PLAYBOOK_AXE_JS" >&2
}

playbook_browser_setup
