#!/usr/bin/env bash
# Size budgets of what a customer's browser downloads, gzipped (as served over the network).
# Run by `make bench` after a release build; fails when any asset exceeds its budget.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
check() {
  local file=$1 budget=$2
  if [ ! -f "$file" ]; then echo "missing $file (run make build first)"; fail=1; return; fi
  local size
  size=$(gzip -9 -c "$file" | wc -c)
  printf '%-32s %8d bytes gzipped (budget %8d)  %s\n' "$file" "$size" "$budget" "$([ "$size" -le "$budget" ] && echo ok || echo OVER)"
  [ "$size" -le "$budget" ] || fail=1
}

check target/site/pkg/paydesk.wasm 360000
check target/site/pkg/paydesk.js    12000
check target/site/pkg/paydesk.css    4000
check public/embed.js                3000
exit $fail
