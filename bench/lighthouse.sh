#!/usr/bin/env bash
# Lighthouse (mobile) on the storefront's home, a category and a product page.
#
#   bench/lighthouse.sh [--runs N]
#
# Installs Lighthouse from the npm registry at the version pinned in bench/package-lock.json,
# builds a demo store at the small profile under var/bench/ (once), serves it production-like
# (`storeteam serve`, DEBUG off, a secret key from SECRET_KEY or a fresh one), and runs Lighthouse
# in its default mobile mode (emulated phone, simulated slow 4G and 4x CPU slowdown) against
# Debian's chromium, never a downloaded browser. Prints the four scores of each page, the audits
# that cost points, and last one line:
#   lighthouse home=perf/a11y/bp/seo category=perf/a11y/bp/seo product=perf/a11y/bp/seo
# With --runs N each page is measured N times and the median score of each category is kept
# (performance varies from run to run on a busy machine).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUNS=1
if [[ "${1:-}" == "--runs" ]]; then RUNS="${2:?--runs needs a number}"; fi

BIN="$ROOT/.venv/bin"
test -x "$BIN/storeteam" || { echo "run 'make install static' first" >&2; exit 1; }
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
test -x "$CHROME_PATH" || { echo "Debian's chromium is needed at $CHROME_PATH (make chromium)" >&2; exit 1; }

# Lighthouse at the pinned version, into bench/node_modules (ignored by git).
# One of Lighthouse's own dependencies asks for "latest" of another, so the lock file falls out
# of step whenever that package publishes; then npm install brings the lock up to date (said).
if ! test -x bench/node_modules/.bin/lighthouse; then
  npm ci --prefix bench --no-audit --no-fund --loglevel=error || {
    echo "bench/package-lock.json is out of step with the registry: updating it with npm install" >&2
    npm install --prefix bench --no-audit --no-fund --loglevel=error
  }
fi
LIGHTHOUSE="$ROOT/bench/node_modules/.bin/lighthouse"

WORK="$ROOT/var/bench"
mkdir -p "$WORK/lighthouse"
export DATABASE_URL="sqlite:///$WORK/lighthouse.sqlite3"
export MEDIA_ROOT="$WORK/media"
export DEBUG=false
export SECRET_KEY="${SECRET_KEY:-$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')}"
unset DJANGO_ALLOW_ASYNC_UNSAFE

"$BIN/storeteam" collectstatic --noinput -v 0
"$BIN/storeteam" migrate -v 0
if [[ "$("$BIN/storeteam" shell -c 'from storeteam.catalog.models import Product; print(Product.objects.count())' 2>/dev/null | tail -1)" == "0" ]]; then
  started=$(date +%s)
  "$BIN/storeteam" demo --profile small >/dev/null
  echo "demo store (small) built in $(( $(date +%s) - started )) s"
fi

# The biggest department, and a product with a picture in it.
read -r CATEGORY PRODUCT < <("$BIN/storeteam" shell -c '
from storeteam.catalog.models import CategoryTranslation, ProductImage, ProductTranslation
from storeteam.storefront.models import ListingEntry
departments = CategoryTranslation.objects.filter(language="en", category__depth=0).select_related("category")
biggest = max(departments, key=lambda d: ListingEntry.objects.filter(currency="EUR", category_path__startswith=d.category.path).count())
pictured = ProductImage.objects.filter(product__category__path__startswith=biggest.category.path).order_by("product_id").values_list("product_id", flat=True).first()
slug = ProductTranslation.objects.get(product_id=pictured, language="en").slug
print(biggest.slug, slug)
' 2>/dev/null | tail -1)

PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$BIN/storeteam" serve --bind "127.0.0.1:$PORT" --workers 2 >"$WORK/lighthouse/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "$BASE/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.3
done
curl -fs "$BASE/api/v1/health" >/dev/null || { echo "storeteam serve did not start; see $WORK/lighthouse/server.log" >&2; exit 1; }

declare -A URLS=([home]="/" [category]="/c/$CATEGORY/" [product]="/p/$PRODUCT/")
SUMMARY="lighthouse"
for page in home category product; do
  curl -fs -o /dev/null "$BASE${URLS[$page]}"  # warm the server's caches, as a visited store has them
  reports=()
  for run in $(seq 1 "$RUNS"); do
    report="$WORK/lighthouse/$page-$run.json"
    "$LIGHTHOUSE" "$BASE${URLS[$page]}" --quiet --output=json --output-path="$report" \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    reports+=("$report")
  done
  scores=$("$BIN/python" - "$page" "${URLS[$page]}" "${reports[@]}" <<'EOF'
import json, statistics, sys
page, path, reports = sys.argv[1], sys.argv[2], [json.load(open(p)) for p in sys.argv[3:]]
keys = ["performance", "accessibility", "best-practices", "seo"]
scores = {k: round(statistics.median(r["categories"][k]["score"] * 100 for r in reports)) for k in keys}
last = reports[-1]
metrics = {m: last["audits"][m]["displayValue"] for m in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index")}
print(f"  {page:<9} {path}", file=sys.stderr)
print("    " + "  ".join(f"{k}={v}" for k, v in scores.items()) + "   " + "  ".join(f"{k.split('-')[0] if k != 'largest-contentful-paint' else 'lcp'}={v}" for k, v in metrics.items()), file=sys.stderr)
for key in keys:
    for ref in last["categories"][key]["auditRefs"]:
        audit = last["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
            print(f"    - {key}: {audit['id']} ({audit['score']:.2f}) {audit['title']}", file=sys.stderr)
print("/".join(str(scores[k]) for k in keys))
EOF
)
  SUMMARY="$SUMMARY $page=$scores"
done
echo "$SUMMARY"
