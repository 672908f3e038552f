#!/usr/bin/env bash
# Clients generated from the OpenAPI document a running paydesk serves, by two generators that are
# not paydesk's: openapi-python-client (a Python package, then used by tests/clients/merchant_api.py
# to create, list two pages, cancel and read back checkouts and refund links, and parse a typed
# error) and openapi-typescript (types compiled with tsc against tests/clients/merchant_api.ts);
# the document itself is checked by openapi-spec-validator first, and the docs' merchant CI example
# (docs/integrating/ci-example.py) pays a checkout headlessly and receives its signed event. Output
# in target/clients/.
# PAYDESK_BIN names the server binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=${TOOLS:-$HOME/.cache/paydesk-tools}
VENV=$TOOLS/clients-venv
REQUIREMENTS=tests/clients/requirements.txt
OUT=target/clients
BIN=${PAYDESK_BIN:-target/release/paydesk}
PORT=${PAYDESK_CLIENTS_PORT:-3301}
TOKEN=clients_merchant_token_0123456789abcdef
WEBHOOK_SECRET=whsec_ci_0123456789abcdefghij

# The Python tools, in a virtual environment kept in the tools cache (rebuilt when pins change).
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2>/dev/null; then
    if ! python3 -m venv --clear "$VENV" 2>/dev/null; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
            python3 -m venv --clear "$VENV"
        else
            echo "Install Python's venv first: sudo apt-get install python3-venv" >&2
            exit 1
        fi
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi
# The TypeScript tools, pinned by tests/clients/package-lock.json.
(cd tests/clients && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; })

rm -rf "$OUT"
mkdir -p "$OUT"
data=$(mktemp -d)
LEPTOS_SITE_ADDR=127.0.0.1:$PORT PAYDESK_SANDBOX_ADDR=127.0.0.1:$((PORT + 1)) \
    PAYDESK_DEMO_STOREFRONT_ADDR=127.0.0.1:$((PORT + 2)) PAYDESK_PAYROC_SANDBOX_ADDR=127.0.0.1:$((PORT + 3)) \
    PAYDESK_COMMERCEHUB_SANDBOX_ADDR=127.0.0.1:$((PORT + 4)) DATABASE_URL="sqlite://$data/paydesk.db" \
    PAYDESK_MERCHANT_TOKEN=$TOKEN PAYDESK_MERCHANT_WEBHOOK_URL=http://127.0.0.1:$((PORT + 5))/paydesk \
    PAYDESK_MERCHANT_WEBHOOK_SECRET=$WEBHOOK_SECRET "$BIN" > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
base=http://127.0.0.1:$PORT
for _ in $(seq 1 150); do
    curl -sf "$base/healthz" > /dev/null && break
    kill -0 $server 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
    sleep 0.2
done
curl -sf "$base/api/v1/openapi.json" -o "$OUT/openapi.json"

"$VENV/bin/openapi-spec-validator" "$OUT/openapi.json"

# The merchant CI example of the docs, as a merchant runs it: a headless payment, its signed event.
CI_WEBHOOK_PORT=$((PORT + 5)) PAYDESK_MERCHANT_WEBHOOK_SECRET=$WEBHOOK_SECRET \
    python3 docs/integrating/ci-example.py "$base" "$TOKEN"

"$VENV/bin/openapi-python-client" generate --path "$OUT/openapi.json" --output-path "$OUT/python" \
    --config tests/clients/python-client.yaml > "$OUT/python-generator.log" 2>&1 \
    || { cat "$OUT/python-generator.log"; exit 1; }
# The generator says "Warning" when it left out a piece of the document: that fails the check.
if grep -q "Warning" "$OUT/python-generator.log"; then cat "$OUT/python-generator.log"; exit 1; fi
PYTHONPATH="$OUT/python" "$VENV/bin/python" tests/clients/merchant_api.py "$base" "$TOKEN"

tests/clients/node_modules/.bin/openapi-typescript "$OUT/openapi.json" -o "$OUT/typescript/paydesk.ts"
tests/clients/node_modules/.bin/tsc -p tests/clients/tsconfig.json
echo "generated TypeScript types: compiled against tests/clients/merchant_api.ts"
