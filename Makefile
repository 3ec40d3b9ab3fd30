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

test: fmtcheck
	$(GO) vet ./...
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
