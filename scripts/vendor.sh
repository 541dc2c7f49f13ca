#!/usr/bin/env bash
# Fetch the browser libraries the web pages use from the npm registry and copy their
# distribution files into src/salestrack/web/static/vendor/. Run by hand when upgrading;
# the result is committed, so nothing is fetched at run time (no CDN) or at install time.
# Versions are exact: vega-lite matches Altair's schema (v6.4) and vl-convert's renderer.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/salestrack/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  htmx.org@2.0.11 vega@6.2.0 vega-lite@6.4.1 vega-embed@7.1.0 leaflet@1.9.4 >/dev/null)

rm -rf "$dest" && mkdir -p "$dest/leaflet/images"
m="$work/node_modules"
cp "$m/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$m/vega/build/vega.min.js" "$dest/vega.min.js"
cp "$m/vega-lite/build/vega-lite.min.js" "$dest/vega-lite.min.js"
cp "$m/vega-embed/build/vega-embed.min.js" "$dest/vega-embed.min.js"
cp "$m/leaflet/dist/leaflet.js" "$m/leaflet/dist/leaflet.css" "$dest/leaflet/"
cp "$m"/leaflet/dist/images/*.png "$dest/leaflet/images/"
for pkg in htmx.org vega vega-lite vega-embed leaflet; do
  cp "$m/$pkg/LICENSE" "$dest/LICENSE.$pkg" 2>/dev/null || cp "$m/$pkg/LICENSE.md" "$dest/LICENSE.$pkg"
done
(cd "$dest" && for pkg in htmx.org vega vega-lite vega-embed leaflet; do
  printf '%s %s\n' "$pkg" "$(node -p "require('$m/$pkg/package.json').version")"
done) > "$dest/VERSIONS"
echo "vendored into $dest:" && cat "$dest/VERSIONS"
