#!/bin/sh
# Rebuild static/vendor/plotly/ (plotly.js with only the traces the portal draws) from the
# versions pinned in scripts/plotly/package-lock.json. The built files are committed, so running
# the site needs no Node.js; run this after changing the pin or the traces in scripts/plotly/.
#   scripts/build_plotly.sh          rebuild
#   scripts/build_plotly.sh --check  rebuild and fail if the result differs from the committed files
set -eu
cd "$(dirname "$0")/plotly"
npm ci --no-audit --no-fund --loglevel=error
node build.mjs
cd ../..
if [ "${1:-}" = "--check" ]; then
    git diff --exit-code --stat -- static/vendor/plotly/
fi
wc -c static/vendor/plotly/*.min.js
