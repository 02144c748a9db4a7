#!/usr/bin/env python3
"""Storefront benchmark: p50/p95/p99 and requests/s of real pages over HTTP against `storeteam serve`.

    .venv/bin/python bench/storefront.py [--db sqlite|postgres] [--profiles small,large]
                                         [--seconds 10] [--connections 16] [--workers 3]
                                         [--pg-prefix storeteam_bench] [--cache local|redis]

For each profile it builds (once) a database with `storeteam demo --profile P`, starts the
production server on it, and drives it with wrk (Debian's package; installed with apt-get when
missing) over a rotation of URLs:
  - category: a department page with two facet filters and a sort (combinations rotate),
  - search: queries with a typo (two letters swapped in a frequent word), rotating,
  - product: product pages (rotating),
  - api_category, api_product, api_search: the same three reads through the storefront API.
The health endpoint (one tiny database query) is measured in the same run as the baseline.
Latency on a shared machine moves with whatever else runs, so each page also reports the server's
own CPU time per request (its processes' user + system time over the run, divided by the
requests served): a figure that moves much less with the neighbours than p95 does. It counts the
web server only: on SQLite that includes the queries, on PostgreSQL their work is the database's
processes' and is left out, so compare it between runs on the same database.
On PostgreSQL each profile has its own database, ``<pg-prefix>_<profile>``.
The cache is the one each database is deployed with (docs/operations.md): each process's local
memory on SQLite (the embedded default), Redis shared by the processes on PostgreSQL (the
scale-out configuration: ``REDIS_URL`` on every process); ``--cache`` chooses another. The Redis
database used (``BENCH_REDIS_URL``, by default 127.0.0.1:6379/14) is emptied before each profile,
so no run starts with pages cached by an earlier one.
The last line is the summary: figures at the largest profile, ratio of its category p95 to the
smallest profile's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STORETEAM = str(BIN / "storeteam")

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], {["Accept-Language"] = "en"})
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH {\"requests\": %d, \"seconds\": %.3f, \"errors\": %d, \"non2xx\": %d, \"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f}\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""

# English shoppers see the EUR listing with Sweden's stock (settings STORE_*_BY_LANGUAGE).
PICK_URLS = r"""
import json
from django.db.models import Count
from storeteam.catalog.models import CategoryTranslation, ProductTranslation
from storeteam.storefront.models import ListingEntry, ListingValue
from storeteam.storefront.selectors import facet_vocabulary
vocab = facet_vocabulary("en")
departments = list(CategoryTranslation.objects.filter(language="en", category__depth=0).select_related("category"))
rows = []
for d in departments:
    n = ListingEntry.objects.filter(currency="EUR", country="SE", category_path__startswith=d.category.path).count()
    rows.append((n, d))
rows.sort(key=lambda r: -r[0])
codes = {pk: (attr, code) for attr, values in vocab.value_ids.items() for code, pk in values.items()}
categories = []
for n, d in rows[:3]:
    ids = ListingEntry.objects.filter(currency="EUR", country="SE", category_path__startswith=d.category.path).values("product_id")
    popular = list(ListingValue.objects.filter(product_id__in=ids).values("attribute_id", "value_id").annotate(c=Count("product_id")).order_by("-c")[:12])
    by_attr = {}
    for p in popular:
        by_attr.setdefault(p["attribute_id"], []).append(p["value_id"])
    attrs = sorted(by_attr, key=lambda a: -len(by_attr[a]))[:2]
    if len(attrs) < 2:
        continue
    for v1 in by_attr[attrs[0]][:4]:
        for v2 in by_attr[attrs[1]][:3]:
            a1, c1 = codes[v1]; a2, c2 = codes[v2]
            for sort in ("price_asc", "newest"):
                categories.append(f"/c/{d.slug}/?{a1}={c1}&{a2}={c2}&sort={sort}")
products = ["/p/%s/" % s for s in ProductTranslation.objects.filter(language="en").order_by("?").values_list("slug", flat=True)[:200]]
import random
from storeteam.catalog.models import SearchTerm
rng = random.Random(7)
terms = list(SearchTerm.objects.filter(language="en", term__regex=r"^[a-z]{6,}$").order_by("-frequency").values_list("term", flat=True)[:80])
searches = []
for term in terms:
    i = rng.randrange(1, len(term) - 2)
    typo = term[:i] + term[i + 1] + term[i] + term[i + 2:]  # two letters swapped
    searches.append("/search/?q=" + typo)
# The same reads through the API for headless fronts (docs/api.md).
api_category = []
for url in categories:
    path, query = url.split("?")
    params = dict(p.split("=") for p in query.split("&"))
    sort = params.pop("sort")
    filters = "&".join(f"filter={a}:{v}" for a, v in params.items())
    api_category.append(f"/api/v1/storefront/categories/{path.split('/')[2]}/products?{filters}&sort={sort}")
api_product = [u.replace("/p/", "/api/v1/storefront/products/by-slug/").rstrip("/") for u in products]
api_search = [u.replace("/search/", "/api/v1/storefront/search") for u in searches]
print("URLS " + json.dumps({"category": categories, "product": products, "search": searches, "api_category": api_category, "api_product": api_product, "api_search": api_search, "departments": [n for n, _ in rows[:3]]}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    assert found, "wrk could not be installed"
    return found


def database_url(db: str, profile: str, pg_prefix: str = "storeteam_bench") -> str:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"{profile}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = f"{pg_prefix}_{profile}"
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def run(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=ROOT, text=True, check=True, **kwargs)  # type: ignore[call-overload]


def build(env: dict[str, str], profile: str) -> None:
    run([STORETEAM, "migrate", "-v", "0"], env)
    has = run(
        [
            STORETEAM,
            "shell",
            "-c",
            "from storeteam.catalog.models import Product; print(Product.objects.count())",
        ],
        env,
        capture_output=True,
    )
    if int(has.stdout.strip().splitlines()[-1]) > 0:
        print(f"  {profile}: catalog already built", flush=True)
        # as autovacuum would have by now on a running store (it may be off on this machine)
        run(
            [
                STORETEAM,
                "shell",
                "-c",
                "from storeteam.core.database import statistics_refresh; statistics_refresh()",
            ],
            env,
        )
        return
    started = time.monotonic()
    run([STORETEAM, "demo", "--profile", profile], env, stdout=subprocess.DEVNULL)
    print(f"  {profile}: built in {time.monotonic() - started:.0f} s", flush=True)


def ensure_search_index(env: dict[str, str], profile: str) -> None:
    probe = "from storeteam.catalog.models import SearchDocument; print(SearchDocument.objects.exists())"
    has = run([STORETEAM, "shell", "-c", probe], env, capture_output=True)
    if has.stdout.strip().splitlines()[-1] == "True":
        return
    started = time.monotonic()
    run([STORETEAM, "reindex", "--only", "search"], env, stdout=subprocess.DEVNULL)
    print(f"  {profile}: search index built in {time.monotonic() - started:.0f} s", flush=True)


TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server: its master, its workers, and workers it has reaped."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        this, parent = int(stat.parent.name), int(fields[1])
        if this == pid:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        elif parent == pid:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def wrk_run(
    wrk: str, base: str, paths: list[str], seconds: int, connections: int, server_pid: int
) -> dict[str, float]:
    cpu_before = server_cpu_seconds(server_pid)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(LUA)
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(
            [
                wrk,
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
            ],
            env={**os.environ, "BENCH_PATHS": str(listing)},
            text=True,
            capture_output=True,
            check=True,
        ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result: dict[str, float] = json.loads(line[6:])
    result["rps"] = result["requests"] / result["seconds"]
    cpu = server_cpu_seconds(server_pid) - cpu_before
    result["cpu_ms"] = 1000 * cpu / result["requests"] if result["requests"] else float("nan")
    return result


def bench_profile(
    db: str,
    profile: str,
    wrk: str,
    seconds: int,
    connections: int,
    workers: int,
    pg_prefix: str = "storeteam_bench",
    cache: str = "local",
) -> dict[str, dict[str, float]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db, profile, pg_prefix),
        "SECRET_KEY": "bench-" + "k" * 50,
        "DEBUG": "false",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("REDIS_URL", None)
    if cache == "redis":
        import redis

        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    build(env, profile)
    ensure_search_index(env, profile)
    picked = run([STORETEAM, "shell", "-c", PICK_URLS], env, capture_output=True).stdout
    urls = json.loads(next(x for x in picked.splitlines() if x.startswith("URLS "))[5:])
    # Slugs may hold letters such as é: send them percent-encoded, as a browser does.
    for page in ("category", "product", "search", "api_category", "api_product", "api_search"):
        urls[page] = [quote(u, safe="/?=&") for u in urls[page]]
    port = free_port()
    log_path = ROOT / "var" / "bench" / f"server-{db}-{profile}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            STORETEAM,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=5).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        # warm every URL once (process caches, database pages), then measure
        for path in (
            urls["category"]
            + urls["product"][:50]
            + urls["search"]
            + urls["api_category"]
            + urls["api_product"][:50]
            + urls["api_search"]
        ):
            urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310
        results = {
            "baseline": wrk_run(wrk, base, ["/api/v1/health"], seconds, connections, server.pid),
            "category": wrk_run(wrk, base, urls["category"], seconds, connections, server.pid),
            "product": wrk_run(wrk, base, urls["product"], seconds, connections, server.pid),
            "search": wrk_run(wrk, base, urls["search"], seconds, connections, server.pid),
            "api_category": wrk_run(
                wrk, base, urls["api_category"], seconds, connections, server.pid
            ),
            "api_product": wrk_run(
                wrk, base, urls["api_product"], seconds, connections, server.pid
            ),
            "api_search": wrk_run(wrk, base, urls["api_search"], seconds, connections, server.pid),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    statuses: dict[str, int] = {}
    for line in log_path.read_text().splitlines():
        parts = line.split('" ')
        if len(parts) > 1 and parts[1][:3].isdigit():
            statuses[parts[1][:3]] = statuses.get(parts[1][:3], 0) + 1
    print(f"  server log {log_path}: responses by status {dict(sorted(statuses.items()))}")
    print(
        f"  {profile} ({db}): departments of {urls['departments']} products; {len(urls['category'])} category URLs"
    )
    for page, r in results.items():
        print(
            f"  {profile:<6} {page:<12} p50={r['p50']:7.1f} ms  p95={r['p95']:7.1f} ms  p99={r['p99']:7.1f} ms"
            f"  rps={r['rps']:7.1f}  cpu={r['cpu_ms']:5.2f} ms/req"
            f"  errors={int(r['errors'])} non2xx={int(r['non2xx'])}",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profiles", default="small,large")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--pg-prefix",
        default="storeteam_bench",
        help="PostgreSQL databases are named <prefix>_<profile> (created when missing)",
    )
    parser.add_argument(
        "--cache",
        choices=["local", "redis"],
        help="the web processes' cache (default: local on sqlite, redis on postgres)",
    )
    args = parser.parse_args()
    cache = args.cache or ("redis" if args.db == "postgres" else "local")
    wrk = ensure_wrk()
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    print(
        f"storefront benchmark on {args.db} with the {cache} cache, {os.cpu_count()} cores, {args.workers} server workers, {args.connections} connections, {args.seconds} s per page"
    )
    figures = {
        p: bench_profile(
            args.db, p, wrk, args.seconds, args.connections, args.workers, args.pg_prefix, cache
        )
        for p in profiles
    }
    smallest, largest = figures[profiles[0]], figures[profiles[-1]]
    ratio = (
        largest["category"]["p95"] / smallest["category"]["p95"]
        if smallest["category"]["p95"]
        else float("nan")
    )
    print(
        f"storefront p95_ms_category={largest['category']['p95']:.1f} p95_ms_search={largest['search']['p95']:.1f}"
        f" p95_ms_product={largest['product']['p95']:.1f} rps_category={largest['category']['rps']:.0f}"
        f" ratio_large_over_small={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
