#!/usr/bin/env bash
# Packs the release build (`make build`) as a merchant installs it:
#   target/dist/paydesk-<version>-<target>.tar.gz  and its .sha256
# holding paydesk-<version>-<target>/ with the binary (symbols stripped), site/ (the browser's files,
# found beside the binary), the systemd unit, an example configuration, README, LICENSE, CHANGELOG.
# The archive is reproducible: sorted names, one owner, every time the last commit's.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk -F'"' '/^\[package\]/ { p = 1 } p && /^version = / { print $2; exit }' Cargo.toml)
target=$(rustc -vV | sed -n 's/^host: //p')
name="paydesk-${version}-${target}"
stage="target/dist/${name}"
[ -x target/release/paydesk ] && [ -d target/site/pkg ] || { echo "dist: run make build first" >&2; exit 1; }

rm -rf target/dist
mkdir -p "$stage"
strip --strip-unneeded -o "$stage/paydesk" target/release/paydesk
chmod 0755 "$stage/paydesk"
cp -R target/site "$stage/site"
install -m 0644 packaging/paydesk.service packaging/paydesk.example.toml README.md LICENSE CHANGELOG.md "$stage/"

epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
tar --sort=name --mtime="@${epoch}" --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' \
    -C target/dist -cf - "$name" | gzip -n -9 > "target/dist/${name}.tar.gz"
(cd target/dist && sha256sum "${name}.tar.gz" > "${name}.tar.gz.sha256")
echo "dist: target/dist/${name}.tar.gz ($(du -h "target/dist/${name}.tar.gz" | cut -f1))"
