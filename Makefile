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
	@echo 'make test   lint, then all tests with the race detector (needs PostgreSQL and Redis)'
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

.PHONY: test
test: lint
	$(GO) test -race -count=1 -timeout 30m ./...

.PHONY: bench
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
