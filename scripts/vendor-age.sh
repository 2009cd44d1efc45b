#!/usr/bin/env bash
# Rebuilds the vendored age-encryption bundle (src/pages/static/vendor/) from
# the npm versions pinned in scripts/vendor/package-lock.json: one minified
# script defining the global `age`, for the pages and the decrypting service
# worker (docs/encryption.md, "In the browser"). Not run by CI: the built
# file is committed, and this script shows how it was made.
set -euo pipefail
cd "$(dirname "$0")/vendor"
npm ci --no-audit --no-fund --silent
version="$(node -p "require('./node_modules/age-encryption/package.json').version")"
out="../../src/pages/static/vendor/age-encryption-$version.min.js"
npx esbuild entry.js --bundle --minify --format=iife --global-name=age \
    --target=es2020 --legal-comments=none --outfile="$out"
{
    echo "age-encryption $version (https://github.com/FiloSottile/typage), bundled with its"
    echo "dependencies by scripts/vendor-age.sh. Their licences follow."
    for p in age-encryption @noble/ciphers @noble/curves @noble/hashes @noble/post-quantum @scure/base; do
        echo
        echo "==== $p $(node -p "require('./node_modules/$p/package.json').version")"
        cat "node_modules/$p/LICENSE"
    done
} >"../../src/pages/static/vendor/age-encryption-$version.LICENSE"
rm -rf node_modules
echo "built $out ($(wc -c <"$out") bytes)"
