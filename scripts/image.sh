#!/usr/bin/env bash
# make image: the container image of the release (packaging/Containerfile), built with podman from
# the very binary and site files `make dist` packed, then saved as an OCI archive beside the tarball:
#   target/dist/paydesk-<version>-<target>.oci.tar   (podman load -i …, or skopeo copy to a registry)
set -euo pipefail
cd "$(dirname "$0")/.."
stage=$(find target/dist -mindepth 1 -maxdepth 1 -type d -name 'paydesk-*' | head -1)
[ -n "$stage" ] || { echo "image: run make dist first" >&2; exit 1; }
name=$(basename "$stage")
version=$(awk -F'"' '/^\[package\]/ { p = 1 } p && /^version = / { print $2; exit }' Cargo.toml)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

context=target/image
rm -rf "$context"
mkdir -p "$context/rootfs/opt" "$context/rootfs/etc" "$context/state"
cp -R "$stage" "$context/rootfs/opt/paydesk"
# The loader and the shared libraries the binary names, at the paths it names them by.
for library in $(ldd "$stage/paydesk" | grep -o '/[^ ]*'); do
  mkdir -p "$context/rootfs$(dirname "$library")"
  cp -L "$library" "$context/rootfs$library"
done
printf 'root:x:0:0:root:/:/sbin/nologin\npaydesk:x:10001:10001:paydesk:/var/lib/paydesk:/sbin/nologin\n' \
  > "$context/rootfs/etc/passwd"
printf 'root:x:0:\npaydesk:x:10001:\n' > "$context/rootfs/etc/group"
mkdir -m 1777 "$context/rootfs/tmp"

podman build --quiet --format oci --build-arg "VERSION=${version}" --build-arg "COMMIT=${commit}" \
  --tag "localhost/paydesk:${version}" -f packaging/Containerfile "$context" > /dev/null
rm -f "target/dist/${name}.oci.tar"
podman save --quiet --format oci-archive -o "target/dist/${name}.oci.tar" "localhost/paydesk:${version}"
echo "image: localhost/paydesk:${version}, saved as target/dist/${name}.oci.tar ($(du -h "target/dist/${name}.oci.tar" | cut -f1))"
