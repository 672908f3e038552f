# paydesk: `make run` sets up this machine and serves the app (sandbox + SQLite by default);
# `make test` runs every test (unit, integration, browser). Tools install only when missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Tools live outside the work tree so they survive fresh clones on the same machine.
TOOLS ?= $(HOME)/.cache/paydesk-tools
CARGO_LEPTOS_VERSION := 0.3.10
MDBOOK_VERSION := 0.5.4
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
export PATH := $(TOOLS)/bin:$(CURDIR)/node_modules/.bin:$(PATH)

# How the built server finds its static files when started outside cargo-leptos.
export LEPTOS_OUTPUT_NAME ?= paydesk
export LEPTOS_SITE_ROOT ?= target/site
export LEPTOS_SITE_PKG_DIR ?= pkg

.PHONY: bench chaos docs flood run test setup tools node-tools browser build lint test-rust test-e2e screenshots clean \
	dist image podman systemd test-release test-clients wasm-profile

run: setup build
	@echo "Starting paydesk (Ctrl-C to stop)…"
	./target/release/paydesk

test: setup lint test-rust docs build test-clients test-e2e test-release

setup: tools node-tools

## Rust toolchain pieces: wasm target, cargo-leptos, wasm-bindgen-cli (same version as Cargo.lock).
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if [ "$$($(TOOLS)/bin/cargo-leptos --version 2>/dev/null)" != "cargo-leptos $(CARGO_LEPTOS_VERSION)" ]; then \
		echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 12 minutes, once per machine)…"; \
		cargo install cargo-leptos --locked --version $(CARGO_LEPTOS_VERSION) --root $(TOOLS); fi
	@if [ "$$($(TOOLS)/bin/wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)…"; \
		cargo install wasm-bindgen-cli --locked --version $(WASM_BINDGEN_VERSION) --root $(TOOLS); fi

## wasm-opt (npm binaryen, never Debian's) and Playwright.
node-tools:
	@[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund
	@[ end2end/node_modules/.package-lock.json -nt end2end/package-lock.json ] || (cd end2end && npm ci --no-audit --no-fund)

## Debian's Chromium for the browser tests (Playwright never downloads one).
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "Install Chromium first: sudo apt-get install chromium"; exit 1; fi; }

build:
	cargo leptos build --release --precompress --split

## The release: target/dist/paydesk-<version>-<target>.tar.gz and its .sha256 (the binary, its site
## files beside it, the systemd unit, an example configuration, README, LICENSE, CHANGELOG).
dist: build
	scripts/dist.sh

## The container image of the same files (localhost/paydesk:<version>, saved as an OCI archive
## beside the tarball), built by Debian's podman without a daemon.
image: dist podman
	scripts/image.sh

podman:
	@command -v podman >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman; \
		else echo "Install podman first: sudo apt-get install podman"; exit 1; fi; }

## systemd-analyze, to verify the release's unit.
systemd:
	@command -v systemd-analyze >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd; \
		else echo "Install systemd-analyze first: sudo apt-get install systemd"; exit 1; fi; }

## The release as a merchant installs it: the tarball unpacked outside the repository and started
## from a configuration file and secret files (a checkout paid in Chromium), its unit verified, and
## the image inspected (containers cannot run on the CI machines: docs/operating/install.md).
test-release: dist image browser systemd
	scripts/test-dist.sh
	scripts/test-image.sh

## Formatting and clippy (-D warnings) for both builds of the app: the server (ssr) and the browser (hydrate).
lint:
	cargo fmt --all --check
	cargo clippy -p paydesk -p paydesk-core -p app --all-targets -- -D warnings
	cargo clippy -p paydesk-core -p app -p frontend --no-default-features --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

test-rust:
	# app and paydesk together (never frontend: that would merge the ssr and hydrate features)
	cargo test -p paydesk -p paydesk-core -p app --no-fail-fast
	# The integration suite again on PostgreSQL: a throwaway cluster (installed when missing, on a
	# free port, deleted afterwards), or the server PAYDESK_TEST_DATABASE_URL names.
	scripts/with-postgres.sh cargo test -p paydesk --test integration --no-fail-fast
	# Bounded chaos runs (tests/chaos), last so a failure's report ends the output: one instance on
	# SQLite (then its database moved to PostgreSQL with paydesk move-to, and the oracle run again
	# on the moved data), then two instances behind a balancer on one PostgreSQL database.
	scripts/with-postgres.sh cargo test -p paydesk --test chaos -- --move-to-postgres
	scripts/with-postgres.sh cargo test -p paydesk --test chaos -- --instances 2

## The chaos suite at full size: paydesk and the sandbox as processes, faults, SIGKILLs, then the
## oracle. CHAOS_SEED=<seed> replays a run's choices; CHAOS_FLOWS / CHAOS_RESTARTS change its size;
## CHAOS_INSTANCES=2 (or more) runs that many instances on one PostgreSQL database.
CHAOS_FLOWS ?= 300
CHAOS_RESTARTS ?= 10
CHAOS_INSTANCES ?= 1
chaos:
	$(if $(filter 1,$(CHAOS_INSTANCES)),,scripts/with-postgres.sh) cargo test -p paydesk --release --test chaos -- \
		--flows $(CHAOS_FLOWS) --restarts $(CHAOS_RESTARTS) --concurrency 16 --instances $(CHAOS_INSTANCES)

## The flood check: 200 concurrent bad sign-ins and 200 reloads of one link, again and again, while
## another customer opens payment pages (release build; fails when their p50 render doubles).
flood:
	cargo test -p paydesk --release --test flood -- --run

test-e2e: browser
	cd end2end && npx playwright test

## Clients generated from the OpenAPI document the release build serves, by openapi-python-client
## and openapi-typescript (installed into the tools cache and tests/clients/node_modules), used as a
## merchant's backend would (tests/clients/); the document checked by openapi-spec-validator.
test-clients: build
	scripts/test-clients.sh

## The documentation (docs/, an mdBook) built into target/book; mdBook installs once into the tools
## cache. The book's checks (links, settings, the map of the code) are `cargo test --test docs`.
docs:
	@if [ "$$($(TOOLS)/bin/mdbook --version 2>/dev/null)" != "mdbook v$(MDBOOK_VERSION)" ]; then \
		echo "Installing mdBook $(MDBOOK_VERSION) (once)…"; \
		cargo install mdbook --locked --version $(MDBOOK_VERSION) --root $(TOOLS); fi
	mdbook build docs

## The README's screenshots (docs/screenshots/), taken from a fresh sandbox by a browser script.
screenshots: setup browser build
	cd end2end && npx playwright test --config screenshots.config.ts

## The browser WASM's size profile (twiggy: largest items, what keeps them, bytes per crate) in
## target/bench/wasm-profile.txt; twiggy installs once into the tools cache.
wasm-profile: setup build
	scripts/wasm-profile.sh

## Release build, then every performance figure beside its reference and goal (benches/performance;
## fails when one misses its goal in benches/budgets.toml; JSON in target/bench/performance.json),
## then the scaling figure (page reloads and webhook ingest: one instance on SQLite, one and two on
## a throwaway PostgreSQL that fsyncs its commits as SQLite does; benches/scaling).
bench: setup browser build wasm-profile
	cargo bench -p paydesk --bench performance
	PAYDESK_PG_DURABLE=1 scripts/with-postgres.sh cargo bench -p paydesk --bench scaling

clean:
	cargo clean
	rm -rf node_modules end2end/node_modules tests/clients/node_modules data
