# Developer and CI entry points. `make help` lists the targets.

# Each recipe runs as one bash script that stops at the first failure.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

GO ?= go
# Pinned: 2026.2.2 knows Go 1.26. Bump it together with the go directive.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# The admin password `make run` uses when ADMIN_PASSWORD is not in the
# environment. For a laptop only.
DEV_ADMIN_PASSWORD := change-me-now

# setsid keeps the terminal's Ctrl-C away from the two binaries so that each
# gets exactly one SIGTERM from the trap in `run`; without it (macOS) they get
# both signals, which they also handle.
SETSID := $(shell command -v setsid 2>/dev/null)

.PHONY: help
help:
	@echo 'make run    build, migrate, then run api and worker in the foreground (Ctrl-C stops both)'
	@echo 'make test   lint, then all tests with the race detector (needs PostgreSQL and Redis;'
	@echo '            installs Chromium and axe-core for the browser tests when missing)'
	@echo 'make bench  run the benchmarks'
	@echo 'make build  build bin/api and bin/worker'
	@echo 'make lint   gofmt check, go vet, staticcheck $(STATICCHECK_VERSION)'
	@echo 'make fmt    gofmt -w the tree'

.PHONY: build
build:
	$(GO) build -o bin/api ./cmd/api
	$(GO) build -o bin/worker ./cmd/worker

# run builds first: under `go run`, SIGTERM would stop the go command and
# leave the real binary running.
.PHONY: run
run: build
	@if [[ -z "$${ADMIN_PASSWORD:-}" ]]; then
	  export ADMIN_PASSWORD='$(DEV_ADMIN_PASSWORD)'
	  echo '############################################################################'
	  echo "#  ADMIN_PASSWORD is not set: the admin logs in as $${ADMIN_LOGIN:-admin} / $$ADMIN_PASSWORD"
	  echo '#  A development password: never use it on a machine others can reach.'
	  echo '############################################################################'
	fi
	export DEV_OUTBOX="$${DEV_OUTBOX:-1}"
	echo "DEV_OUTBOX=$$DEV_OUTBOX: a channel without a provider goes to the development outbox (GET /api/v1/dev/outbox), passwords included"
	if [[ -z "$${SMTP_HOST:-}" ]]; then echo 'SMTP_HOST is unset: e-mail goes to the dev outbox'; fi
	if [[ -z "$${VONAGE_API_KEY:-}" ]]; then echo 'VONAGE_API_KEY is unset: SMS goes to the dev outbox'; fi
	./bin/api migrate
	$(SETSID) ./bin/api & api=$$!
	$(SETSID) ./bin/worker & worker=$$!
	trap 'kill -TERM $$api $$worker 2>/dev/null || true' INT TERM
	status=0
	wait -n $$api $$worker || status=$$?
	kill -TERM $$api $$worker 2>/dev/null || true
	wait $$api $$worker || true
	echo "api and worker stopped"
	exit $$status

.PHONY: fmt
fmt:
	gofmt -w -l .

.PHONY: lint
lint:
	unformatted="$$(gofmt -l .)"
	if [[ -n "$$unformatted" ]]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# The browser tests drive Debian's Chromium (CHROMIUM overrides the path).
# Installed here when missing, so that a fresh machine needs nothing by hand.
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)

.PHONY: browser
browser:
	if [[ -x "$(CHROMIUM)" ]]; then exit 0; fi
	echo "installing Debian's chromium for the browser tests"
	sudo=""; if [[ "$$(id -u)" != 0 ]]; then sudo=sudo; fi
	export DEBIAN_FRONTEND=noninteractive
	$$sudo apt-get install -y --no-install-recommends chromium chromium-driver ||
	  { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends chromium chromium-driver; }

# The Redis HA tests start their own Sentinel sets and clusters from
# Debian's redis-server (its --sentinel mode). Installed here when missing.
.PHONY: redis-server
redis-server:
	if command -v redis-server >/dev/null; then exit 0; fi
	echo "installing Debian's redis-server for the Sentinel and Cluster tests"
	sudo=""; if [[ "$$(id -u)" != 0 ]]; then sudo=sudo; fi
	export DEBIAN_FRONTEND=noninteractive
	$$sudo apt-get install -y --no-install-recommends redis-server ||
	  { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends redis-server; }

# The relay test (pkg/app/postfix_test.go) runs a private instance of
# Debian's Postfix on loopback, with its own configuration and queue.
# Installed here when missing, as "No configuration": the system's own
# Postfix is neither configured nor started.
.PHONY: postfix
postfix:
	if [[ -x /usr/sbin/postfix ]]; then exit 0; fi
	echo "installing Debian's postfix for the relay test (not configured, not started)"
	sudo=""; if [[ "$$(id -u)" != 0 ]]; then sudo=sudo; fi
	export DEBIAN_FRONTEND=noninteractive
	echo "postfix postfix/main_mailer_type select No configuration" | $$sudo debconf-set-selections
	$$sudo apt-get install -y --no-install-recommends postfix ||
	  { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends postfix; }

# axe-core, which the browser tests inject into each page to check its
# accessibility, comes from the npm registry at the version pinned by
# tools/a11y/package-lock.json; installed here (with npm from Debian when
# missing), never fetched by the tests themselves.
AXE_JS := tools/a11y/node_modules/axe-core/axe.min.js

.PHONY: a11y
a11y:
	if [[ -f "$(AXE_JS)" && "$(AXE_JS)" -nt tools/a11y/package-lock.json ]]; then exit 0; fi
	if ! command -v npm >/dev/null; then
	  echo "installing Debian's npm for axe-core"
	  sudo=""; if [[ "$$(id -u)" != 0 ]]; then sudo=sudo; fi
	  export DEBIAN_FRONTEND=noninteractive
	  $$sudo apt-get install -y --no-install-recommends npm ||
	    { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends npm; }
	fi
	cd tools/a11y && npm ci --ignore-scripts --no-audit --no-fund
	touch "$(CURDIR)/$(AXE_JS)"

.PHONY: test
test: lint browser redis-server postfix a11y
	CHROMIUM="$(CHROMIUM)" AXE_JS="$(CURDIR)/$(AXE_JS)" $(GO) test -race -count=1 -timeout 30m ./...

# BENCH picks benchmarks by name (make bench BENCH=SingleInvitation). The
# black-box ones in pkg/app build and run the api and worker processes and
# take minutes each, hence the timeout.
BENCH ?= .
.PHONY: bench
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -timeout 90m ./...
