#!/usr/bin/env bash
# Re-vendors the staff app's front-end libraries from the npm registry, pinned by version.
# The files are committed (the server embeds them; running it needs no Node); this script
# only documents and repeats where they came from. Check the printed sha256 against
# crates/web/assets/vendor/SHA256SUMS before committing a change.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.11
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "htmx.org@$HTMX_VERSION" >/dev/null && tar xzf htmx.org-*.tgz)
cp "$work/package/dist/htmx.min.js" "crates/web/assets/vendor/htmx-$HTMX_VERSION.min.js"
cp "$work/package/LICENSE" crates/web/assets/vendor/htmx-LICENSE
(cd crates/web/assets/vendor && sha256sum "htmx-$HTMX_VERSION.min.js")
