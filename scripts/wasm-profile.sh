#!/usr/bin/env bash
# A size profile of the browser's WASM, written to target/bench/wasm-profile.txt: the release build's
# module after wasm-bindgen, as cargo-leptos makes it, with its function names, through twiggy's
# `top` (largest items), `dominators` (what keeps what alive) and a sum per crate — so a lever that
# shrinks the page is chosen, and checked, by numbers. twiggy 0.7 cannot read binaryen 132's output
# (it panics on its names section), so the profile is of the module before `wasm-opt -Oz`, which then
# takes about 15 % off the code. The build is split (`--split`): the profile is of the whole program,
# and a table of the files shipped beside it (the main module and each chunk, raw and brotli) says
# where each part went — the main module is what a page that opens on the hosted form waits for.
# Needs `make build` first; twiggy installs once into the tools cache.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=${TOOLS:-$HOME/.cache/paydesk-tools}
TWIGGY_VERSION=0.7.0
export PATH="$TOOLS/bin:$PATH"
if [ "$(twiggy --version 2>/dev/null)" != "twiggy-opt $TWIGGY_VERSION" ]; then
    echo "Installing twiggy $TWIGGY_VERSION (once per machine)…"
    cargo install twiggy --locked --version "$TWIGGY_VERSION" --root "$TOOLS"
fi

INPUT=target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm
SHIPPED=$(find target/site/pkg -name 'paydesk*.wasm' 2>/dev/null | head -1 || true)
[ -f "$INPUT" ] && [ -n "$SHIPPED" ] || { echo "Build the release first: make build" >&2; exit 1; }
OUT=target/bench
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

wasm-bindgen --target web --no-typescript --out-dir "$WORK" --out-name profiled "$INPUT"
mv "$WORK/profiled_bg.wasm" "$WORK/profiled.wasm"

size() { wc -c < "$1" | tr -d ' '; }
{
    echo "# WASM size profile ($(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%F))"
    echo "profiled: the whole program before splitting and wasm-opt, with its names, $(size "$WORK/profiled.wasm") bytes raw"
    echo
    echo "## shipped (bytes raw, brotli): the main module first, then the chunks, largest first"
    printf '%8s %8s  %s\n' "$(size "$SHIPPED")" "$(size "$SHIPPED.br" 2>/dev/null || echo ?)" "$SHIPPED (main)"
    find "$(dirname "$SHIPPED")" -name '*.wasm' ! -path "$SHIPPED" -printf '%s %p\n' | sort -rn |
        while read -r bytes file; do
            printf '%8s %8s  %s\n' "$bytes" "$(size "$file.br" 2>/dev/null || echo ?)" "$file"
        done
    echo
    echo "## twiggy top -n 60"
    twiggy top -n 60 "$WORK/profiled.wasm"
    echo
    echo "## twiggy dominators -d 4 -r 80"
    twiggy dominators -d 4 -r 80 "$WORK/profiled.wasm"
    echo
    echo "## by crate (retained bytes of items whose names start with the crate)"
    twiggy top -n 100000 --format csv "$WORK/profiled.wasm" | python3 -c '
import csv, re, sys, collections
crates = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name = row["Name"]
    match = re.search(r"(?:^|<|\s)_?([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    if name == "\"function names\" subsection":
        crate = "(names: profiling only, not shipped)"
    elif name.startswith("custom section") and ("linking" in name or "reloc." in name):
        crate = "(relocations: for the splitter only, not shipped)"
    elif match:
        crate = match.group(1)
    else:
        crate = "data" if name.startswith("data[") else "other"
    crates[crate] += int(row["ShallowSize"])
for crate, size in crates.most_common(40):
    print(f"{size:>8}  {crate}")
'
} > "$OUT/wasm-profile.txt"
echo "WASM size profile: $OUT/wasm-profile.txt"
