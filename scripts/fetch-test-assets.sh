#!/usr/bin/env bash
# Fetches what the browser tests need from the npm registry, pinned by version, into
# target/test-assets/ (not committed): axe-core, the accessibility checker the tests run in
# every page. CI runs this before the tests; run it once locally to check accessibility too.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
dest="${CARGO_TARGET_DIR:-target}/test-assets"
mkdir -p "$dest"
if [ -f "$dest/axe-$AXE_VERSION.min.js" ]; then exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf axe-core-*.tgz)
cp "$work/package/axe.min.js" "$dest/axe-$AXE_VERSION.min.js"
echo "axe-core $AXE_VERSION in $dest"
