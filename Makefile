# webhook-admin — `make run` serves the app, `make test` runs every test.
# Both install what they need first (only when it is missing).

SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.5
# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/"/, "", $$3); print $$3; exit}' Cargo.lock)
BINARYEN_VERSION := 132.0.0
TOOLS_DIR := $(CURDIR)/.tools
SCHEMATHESIS_VERSION := 4.32.5
SPEC_VALIDATOR_VERSION := 0.9.0
# Schema fuzzing: examples per operation for `make fuzz`, and in `make test`.
FUZZ_EXAMPLES ?= 1000
FUZZ_EXAMPLES_CI ?= 100
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

export PATH := $(HOME)/.cargo/bin:$(TOOLS_DIR)/node_modules/.bin:$(PATH)
# cargo-leptos sets this for its builds; setting it for plain cargo too keeps
# one set of compiled dependencies instead of two.
export LEPTOS_OUTPUT_NAME := webhook-admin
export TEST_POSTGRES_URL

.PHONY: help tools run-tools browser-tools run test-dev-site release client-size test test-unit test-sqlite test-postgres test-e2e build-site lint clean-test-dbs test-all openapi fuzz fuzz-tools test-fuzz pg-ready test-one-file dist bench

help:
	@echo "make run      build and serve the app on http://127.0.0.1:3000 (SQLite by default)"
	@echo "make test     run every test: browser (Playwright), unit, API and CLI on SQLite and PostgreSQL"
	@echo "make release  build target/release/webhook-admin with the optimised site inside"
	@echo "make dist     dist/webhook-admin: the one file to deploy"
	@echo "make lint     rustfmt and clippy, both feature sets"
	@echo "make fuzz     schema fuzzing (schemathesis, $(FUZZ_EXAMPLES) examples per operation) on both databases"
	@echo "make openapi  rewrite docs/openapi.json from the code"
	@echo "make bench    benchmarks with budgets, written to docs/benchmarks.md"

## Installs the toolchain pieces, each only when missing (see DEVELOPERS.md).
## `make run` needs only the first two (run-tools); the release build,
## the tests and the benchmarks need cargo-leptos and wasm-opt too.
## cargo-leptos only orchestrates builds, so it is compiled unoptimised (a
## shorter install). It asks for a vendored OpenSSL; the system's, when there
## is one, saves compiling it (timings: docs/performance.md).
run-tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" \
		|| CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
			cargo install wasm-bindgen-cli --version "=$(WASM_BINDGEN_VERSION)" --force

tools: run-tools
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" \
		|| env $$(pkg-config --exists openssl 2>/dev/null && echo OPENSSL_NO_VENDOR=1) \
			CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
			CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
			cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked
	@test -x "$(TOOLS_DIR)/node_modules/.bin/wasm-opt" \
		|| npm install --silent --no-audit --no-fund --prefix "$(TOOLS_DIR)" binaryen@$(BINARYEN_VERSION)

## Debian's Chromium and the Playwright packages, for the browser tests.
browser-tools:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	@test -d end2end/node_modules/@playwright/test || (cd end2end && npm ci --no-audit --no-fund)

## A debug build of server and site (scripts/dev-site.sh: plain cargo and
## wasm-bindgen, so a first run does not wait for cargo-leptos' install).
run: run-tools
	scripts/dev-site.sh
	target/debug/webhook-admin serve

## The release binary carries the site (precompressed): one file to deploy.
release: tools
	cargo leptos build --release --precompress --bin-features embed-site

## A debug build of server and site (then `cd end2end && E2E_PROFILE=debug npx playwright test`).
build-site: tools
	cargo leptos build

# Everything, with PostgreSQL: the one at TEST_POSTGRES_URL, or when nothing
# answers there a throwaway cluster under target/ (scripts/with-postgres.sh).
test:
	scripts/with-postgres.sh $(MAKE) --no-print-directory test-all

# The browser suite runs against the release build, the one people deploy.
test-all: tools browser-tools client-size test-one-file test-e2e test-unit test-sqlite test-postgres test-fuzz test-dev-site
# The tests that run the server as a process (kill -9, two instances) use it too.
test-all: export WEBHOOK_ADMIN_BIN := $(CURDIR)/target/release/webhook-admin

## The optimised release build, and the size of what browsers download.
client-size: release
	node end2end/client-size.js

## The release binary, alone in an empty directory, serves the whole site.
test-one-file: release
	scripts/one-file-test.sh target/release/webhook-admin

## One file to deploy: dist/webhook-admin (the site inside, symbols stripped).
dist: release
	@mkdir -p dist
	strip -o dist/webhook-admin target/release/webhook-admin
	@ls -l dist/webhook-admin

## Playwright in Chromium against the release server on a throwaway SQLite
## database (end2end/playwright.config.ts starts both).
test-e2e: release browser-tools
	cd end2end && npx playwright test

## `make run`'s debug build (scripts/dev-site.sh) hydrates every island.
## Last in `make test`: it replaces target/site, which a release build embeds.
test-dev-site: run-tools browser-tools
	scripts/dev-site.sh
	cd end2end && E2E_PROFILE=debug npx playwright test --project=javascript tests/islands.spec.ts

test-unit:
	cargo test --no-default-features --features ssr --lib --bins

test-sqlite:
	TEST_BACKEND=sqlite cargo test --no-default-features --features ssr --test api --test sign_in_flood

test-postgres: pg-ready clean-test-dbs
	TEST_BACKEND=postgres cargo test --no-default-features --features ssr --test api --test sign_in_flood
	@$(MAKE) --no-print-directory clean-test-dbs

## schemathesis and an OpenAPI validator, in a virtualenv of their own.
fuzz-tools:
	@test -x "$(TOOLS_DIR)/venv/bin/st" || { python3 -m venv "$(TOOLS_DIR)/venv" \
		&& "$(TOOLS_DIR)/venv/bin/pip" install -q schemathesis==$(SCHEMATHESIS_VERSION) \
			openapi-spec-validator==$(SPEC_VALIDATOR_VERSION); }

## Schema fuzzing of the release server from docs/openapi.json, on both backends.
fuzz: release fuzz-tools pg-ready
	scripts/fuzz.sh $(FUZZ_EXAMPLES) sqlite
	scripts/fuzz.sh $(FUZZ_EXAMPLES) postgres

## The same at CI size (part of `make test`).
test-fuzz: release fuzz-tools pg-ready
	scripts/fuzz.sh $(FUZZ_EXAMPLES_CI) sqlite
	scripts/fuzz.sh $(FUZZ_EXAMPLES_CI) postgres

pg-ready:
	@pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not running on 127.0.0.1:5432 (see DEVELOPERS.md)"; exit 1; }

## The benchmark suite: release server, wrk, both databases, the fake Slack
## (examples/fake_slack.rs; the same features as the release server, so its
## build reuses the server's), budgets; writes docs/benchmarks.md (scripts/bench.py).
bench: release browser-tools pg-ready
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	cargo build --release --example fake_slack --example axum_floor --no-default-features --features embed-site
	python3 scripts/bench.py

## Rewrites docs/openapi.json from the code (review the diff).
openapi:
	UPDATE_OPENAPI=1 cargo test --no-default-features --features ssr --test api -- openapi::the_served_document_is_the_committed_one

## Drops databases left behind by interrupted PostgreSQL test runs.
clean-test-dbs:
	@psql "$(TEST_POSTGRES_URL)" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'wa\_test\_%'" 2>/dev/null \
		| while read -r db; do psql "$(TEST_POSTGRES_URL)" -qc "DROP DATABASE IF EXISTS \"$$db\" WITH (FORCE)"; done; true

lint:
	cargo fmt --check
	cargo clippy --all-targets --no-default-features --features ssr -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
