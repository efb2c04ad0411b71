#!/usr/bin/env bash
# Rebuilds plotly-dashboard.min.js from the plotly.js release pinned in package.json, with the
# settings of plotly.js's own esbuild config. Maintainers only: the built file is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/plotly-dashboard.entry.js" "$work/"
cd "$work"
npm install --silent --no-audit --no-fund
version="$(node -p "require('plotly.js/package.json').version")"
npx esbuild plotly-dashboard.entry.js --bundle --minify --format=iife --global-name=Plotly \
  --define:global=window --define:define.amd=false --target=es2016 --legal-comments=none \
  --log-level=warning --outfile=bundle.js
# esbuild also writes maplibre's stylesheet, which no trace here uses: it is left behind.
{
  printf '/**\n* plotly.js v%s, partial bundle: scatter, bar, heatmap, treemap\n' "$version"
  printf '* Copyright 2012-2026, Plotly, Inc. All rights reserved.\n'
  printf '* Licensed under the MIT license\n*/\n'
  cat bundle.js
} >"$here/plotly-dashboard.min.js.tmp"
mv "$here/plotly-dashboard.min.js.tmp" "$here/plotly-dashboard.min.js"
echo "wrote $here/plotly-dashboard.min.js ($(wc -c <"$here/plotly-dashboard.min.js") bytes)"
