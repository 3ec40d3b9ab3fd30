# Playbook: honest targets. `make run` builds and serves the default playbook,
# `make test` is what CI runs.
GO      ?= go
BIN     := bin/playbook
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all run build test fmtcheck bench lint clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/playbook

run: build
	$(BIN) serve -s .

# go test shows nothing of a passing package, so the skips that a missing
# PostgreSQL, Chromium or axe-core causes are announced here, before the
# run (with CI=true those tests fail instead of skipping).
test: fmtcheck
	$(GO) vet ./...
	@[ -n "$$PLAYBOOK_TEST_POSTGRES" ] || echo "*** SKIPPING the PostgreSQL store tests: PLAYBOOK_TEST_POSTGRES is not set (bash .ci/run sets one up)"
	@[ -n "$$PLAYBOOK_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		echo "*** SKIPPING the browser tests: no chromium (apt-get install -y chromium, or source .ci/browser.sh)"
	@[ -n "$$PLAYBOOK_AXE_JS" ] || echo "*** SKIPPING the accessibility checks: PLAYBOOK_AXE_JS is not set (source .ci/browser.sh)"
	$(GO) test -count=1 ./...

fmtcheck:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi

bench: build
	bash bench/run.sh

lint: fmtcheck
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf bin public test-output
