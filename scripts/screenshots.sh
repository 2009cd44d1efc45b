#!/usr/bin/env bash
# Takes the pages' screenshots again and keeps a few in docs/screenshots/
# (README.md and docs/web.md show them): runs the browser tests
# (tests/browser.rs) — the design test saves every page in both themes at
# 1280 and 390 px to target/screenshots/, the others their flows: several
# files with one link and its QR code, a phone's bundle and the recipient's
# previews, an upload in progress, My files, the pages in German — then
# copies the chosen ones. Needs chromium, chromedriver and npm (axe-core);
# fails without them.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d tests/clients/node_modules/axe-core ]; then
    (cd tests/clients && npm ci --no-audit --no-fund --silent)
fi
rm -f target/screenshots/*.png
CI=true cargo test --test browser -- --test-threads 1

keep=(
    upload-done-tall-light-1280
    upload-dark-1280
    my-files-light-1280
    my-files-dark-1280
    download-light-1280
    download-dark-390
    upload-done-dark-390
    upload-in-progress
    resumed-upload
    upload-bundle
    phone-bundle-dark-390
    phone-bundle-page-390
    phone-preview-image-390
    my-files-folder-light-1280
    my-files-folder-dark-1280
    my-files-folder-dark-390
    my-files-edit-dark-1280
    de-upload
    de-download
    file-request
    file-request-receipt
    extend
    who-downloaded
    trash
)
mkdir -p docs/screenshots
for name in "${keep[@]}"; do
    cp "target/screenshots/$name.png" "docs/screenshots/$name.png"
done
# They are committed: keep them small.
for name in "${keep[@]}"; do
    size=$(stat -c %s "docs/screenshots/$name.png")
    echo "docs/screenshots/$name.png: $((size / 1024)) KB"
    if [ "$size" -gt 204800 ]; then
        echo "  over 200 KB" >&2
        exit 1
    fi
done
