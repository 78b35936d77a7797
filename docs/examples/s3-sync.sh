#!/bin/sh
# Publish a built statusgen site to an S3 bucket behind a CDN (or to any S3-compatible store:
# set AWS_ENDPOINT_URL for R2, Spaces, MinIO...). Needs the aws CLI and write access to the bucket.
#
#   statusgen build && BUCKET=s3://status.example.com sh s3-sync.sh [output]
#
# docs/deploy.md explains the cache headers.
set -eu

OUT=${1:-output}
: "${BUCKET:?set BUCKET, e.g. BUCKET=s3://status.example.com}"
[ -f "$OUT/index.html" ] || { echo "s3-sync: no $OUT/index.html: run statusgen build first" >&2; exit 1; }

# The stylesheet's name holds a hash of its content: a new stylesheet gets a new name.
LONG="public, max-age=31536000, immutable"
# Pages, feeds, API, calendar and badges change with every update.
SHORT="public, max-age=60"

# 1. Assets first, so no page ever names a stylesheet the bucket does not have yet.
aws s3 sync "$OUT/assets" "$BUCKET/assets" --cache-control "$LONG"

# 2. Everything else. Feeds and the calendar get their type explicitly: the CLI guesses types
#    from the machine's MIME table, which often lacks .atom, .rss and .ics.
aws s3 sync "$OUT" "$BUCKET" --cache-control "$SHORT" --exclude ".statusgen-build" \
    --exclude "assets/*" --exclude "*.atom" --exclude "*.rss" --exclude "*.ics"
aws s3 sync "$OUT" "$BUCKET" --cache-control "$SHORT" --exclude "*" --include "*.atom" \
    --content-type "application/atom+xml"
aws s3 sync "$OUT" "$BUCKET" --cache-control "$SHORT" --exclude "*" --include "*.rss" \
    --content-type "application/rss+xml"
aws s3 sync "$OUT" "$BUCKET" --cache-control "$SHORT" --exclude "*" --include "*.ics" \
    --content-type "text/calendar; charset=utf-8"

# 3. Last, remove what the site no longer has (an entry renamed or deleted). Old stylesheets
#    stay: a page cached somewhere may still name one.
aws s3 sync "$OUT" "$BUCKET" --delete --exclude ".statusgen-build" --exclude "assets/*"
