#!/usr/bin/env bash
# The release as a merchant installs it (make test-dist, after make dist): the tarball's checksum
# verified, unpacked in a temporary directory outside the repository, its systemd unit verified
# (systemd-analyze verify, and an exposure score of at most 2.0), then paydesk started from there
# with only a configuration file and secrets from files (no environment), and a sandbox checkout
# paid on it in Chromium (end2end/dist).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls "$repo"/target/dist/paydesk-*.tar.gz)
dir=$(mktemp -d /tmp/paydesk-dist-XXXXXX)
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

(cd "$(dirname "$tarball")" && sha256sum --check --quiet "$(basename "$tarball").sha256")
tar -xzf "$tarball" -C "$dir"
release=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'paydesk-*')
for file in paydesk site/pkg paydesk.service paydesk.example.toml README.md LICENSE CHANGELOG.md; do
  [ -e "$release/$file" ] || { echo "test-dist: $file is missing from the tarball" >&2; exit 1; }
done

# The unit as installed, pointing at this copy.
sed "s#/opt/paydesk#${release}#g" "$release/paydesk.service" > "$dir/paydesk.service"
said=$(systemd-analyze verify --man=no "$dir/paydesk.service" 2>&1)
[ -z "$said" ] || { echo "test-dist: systemd-analyze verify: $said" >&2; exit 1; }
systemd-analyze security --offline=yes --threshold=20 "$dir/paydesk.service" > /dev/null \
  || { echo "test-dist: the unit's exposure is above 2.0" >&2; exit 1; }
"$release/paydesk" config check --config "$release/paydesk.example.toml" > /dev/null

# Secrets as files (the merchant token is the browser tests' own, end2end/playwright.config.ts).
mkdir -m 0700 "$dir/secrets"
printf 'e2e_merchant_token_0123456789abcdef\n' > "$dir/secrets/merchant-token"
printf 'key_test_dist_sandbox_0123456789\n' > "$dir/secrets/sandbox-api-key"
port=3261
cat > "$dir/paydesk.toml" <<TOML
LEPTOS_SITE_ADDR = "127.0.0.1:${port}"
DATABASE_URL = "sqlite://${dir}/state/paydesk.db"
PAYDESK_SANDBOX_ADDR = "127.0.0.1:3271"
PAYDESK_PAYROC_SANDBOX_ADDR = "127.0.0.1:3281"
PAYDESK_COMMERCEHUB_SANDBOX_ADDR = "127.0.0.1:3291"
PAYDESK_DEMO_STOREFRONT_ADDR = "off"
PAYDESK_MERCHANT_NAME = "Release Test Shop"
PAYDESK_MERCHANT_TOKEN_FILE = "${dir}/secrets/merchant-token"
PAYDESK_SANDBOX_API_KEY_FILE = "${dir}/secrets/sandbox-api-key"
PAYDESK_PAGE_VIEWS_PER_MINUTE = 100000
TOML
mkdir "$dir/state"
cd "$dir"
env -i PATH=/usr/bin:/bin "$release/paydesk" --config "$dir/paydesk.toml" > "$dir/paydesk.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:${port}/health/ready" > /dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/paydesk.log" >&2; exit 1; }
  sleep 0.2
done
cd "$repo/end2end"
PAYDESK_DIST_URL="http://127.0.0.1:${port}" npx playwright test --config dist.config.ts \
  || { echo "--- the release's log:" >&2; tail -50 "$dir/paydesk.log" >&2; exit 1; }
