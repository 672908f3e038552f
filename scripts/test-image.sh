#!/usr/bin/env bash
# Inspects the container image make image built (containers cannot run on the CI machines: crun is
# refused setrlimit there, so the tarball test runs the very same binary instead): its entrypoint,
# user, environment and volume; its files — the release's binary byte for byte, the site, the C
# runtime, no shell and no build tools; and its size (at most 64 MiB unpacked).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk -F'"' '/^\[package\]/ { p = 1 } p && /^version = / { print $2; exit }' Cargo.toml)
stage=$(find target/dist -mindepth 1 -maxdepth 1 -type d -name 'paydesk-*' | head -1)
archive="${stage}.oci.tar"
fail() { echo "test-image: $*" >&2; exit 1; }

config=$(podman image inspect "localhost/paydesk:${version}" --format json | jq '.[0]')
expect() { # <jq filter> <expected JSON>
  local got; got=$(jq -c "$1" <<< "$config")
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}
expect '.Config.Entrypoint' '["/opt/paydesk/paydesk"]'
expect '.Config.Cmd' '["serve"]'
expect '.Config.User' '"10001:10001"'
expect '.Config.WorkingDir' '"/var/lib/paydesk"'
expect '.Config.Volumes | keys' '["/var/lib/paydesk"]'
expect '.Config.ExposedPorts | keys' '["3000/tcp"]'
expect '.Config.Labels["org.opencontainers.image.version"]' "\"${version}\""
expect '[.Config.Env[] | select(startswith("DATABASE_URL="))]' '["DATABASE_URL=sqlite:///var/lib/paydesk/paydesk.db"]'
size=$(jq '.Size' <<< "$config")
[ "$size" -le $((64 * 1024 * 1024)) ] || fail "the image is ${size} bytes, above 64 MiB"

# Its files, layer by layer, from the saved OCI archive.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$archive" -C "$work"
manifest=$(jq -r '.manifests[0].digest' "$work/index.json" | sed 's/sha256://')
: > "$work/files"
for layer in $(jq -r '.layers[].digest' "$work/blobs/sha256/$manifest" | sed 's/sha256://'); do
  tar -tf "$work/blobs/sha256/$layer" | sed 's#^\./##' >> "$work/files"
  tar -xf "$work/blobs/sha256/$layer" -C "$work" --wildcards 'opt/paydesk/paydesk' 'etc/passwd' 2>/dev/null || true
done
for file in opt/paydesk/paydesk opt/paydesk/site/pkg/paydesk.wasm opt/paydesk/site/embed.js \
            opt/paydesk/paydesk.service lib64/ld-linux-x86-64.so.2 lib/x86_64-linux-gnu/libc.so.6 \
            etc/passwd var/lib/paydesk/; do
  grep -qx "$file" "$work/files" || fail "$file is not in the image"
done
for tool in bin/sh bin/bash usr/bin/cargo usr/bin/rustc usr/bin/apt usr/bin/gcc; do
  ! grep -qx "$tool" "$work/files" || fail "$tool is in the image: no shells or build tools"
done
cmp -s "$work/opt/paydesk/paydesk" "$stage/paydesk" || fail "the image's binary is not the tarball's"
grep -q '^paydesk:x:10001:10001:' "$work/etc/passwd" || fail "the paydesk user is not in /etc/passwd"
echo "test-image: localhost/paydesk:${version} (${size} bytes): entrypoint, user, files and size as expected"
