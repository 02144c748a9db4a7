#!/usr/bin/env python3
"""Checkout benchmark: orders per second and the flash sale, over HTTP against `storeteam serve`.

    .venv/bin/python bench/checkout.py [--db sqlite|postgres] [--clients 16] [--seconds 20]
                                       [--flash-units 100] [--flash-buyers 1000] [--workers 4]

It prepares (once) a template database with the real commands and services: `storeteam demo
--profile small` (catalog, three warehouses, opening stock), plus VAT rates, two shipping
methods, and plenty of stock in Stockholm for 200 variants. Each run copies the template, so
every run starts from the same stock, and serves the copy with `storeteam serve`.

1. baseline: the health endpoint (one tiny query) with the same clients, requests/s.
2. steady state: K clients loop: create a cart, put 1-3 random variants in it, read it (its
   checkout key), check out with the test card. orders_per_s counts completed orders over the
   phase; p95_ms is the 95th percentile of the checkout call alone.
3. flash sale: one variant gets exactly --flash-units salable units for Sweden; --flash-buyers
   buyers each build a cart with one unit, then all check out at the same moment. Every winner
   must get 201, every loser 409 "sold out"; flash_oversold counts orders beyond the units and
   stock gone negative; afterwards the stock ledger is audited (`storeteam stock-audit`) and every
   captured payment must have its order.

The clients are asyncio connections (one request at a time each), so a thousand buyers cost the
machine little beside the server. The last line is the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STORETEAM = str(BIN / "storeteam")
API = "/api/v1/checkout"
CARD = "4242424242424242"
ADDRESS = {
    "name": "Bench Buyer",
    "line1": "Drottninggatan 1",
    "postcode": "11151",
    "city": "Stockholm",
    "country": "SE",
}

PREPARE = r"""
from decimal import Decimal
from storeteam.checkout.services import shipping_method_ensure
from storeteam.inventory.models import Warehouse, Stock
from storeteam.inventory.services import StockLine, stock_receive
from storeteam.pricing.models import VariantPrice
from storeteam.pricing.services import tax_rates_set
tax_rates_set(rates={("SE", "standard"): Decimal("0.25"), ("SE", "reduced"): Decimal("0.12"),
                     ("SE", "zero"): Decimal("0")})
shipping_method_ensure(code="postal", names={"en": "Postal parcel", "sv": "Postpaket"},
                       rates={"SEK": ("49.00", "1000.00"), "EUR": ("4.90", "100.00")}, days=(2, 4))
shipping_method_ensure(code="express", names={"en": "Express", "sv": "Express"},
                       rates={"SEK": ("129.00", None), "EUR": ("12.90", None)}, countries=["SE"],
                       days=(1, 1), position=1)
sto = Warehouse.objects.get(country="SE")
priced = list(VariantPrice.objects.filter(price_list__currency="SEK", price_list__is_default=True,
              variant__product__is_published=True).order_by("variant_id")
              .values_list("variant_id", flat=True).distinct()[:201])
stock_receive(actor=None, warehouse=sto, lines=[StockLine(v, 100000) for v in priced],
              reference="bench")
print("PREPARED", len(priced))
"""

FLASH_SET = r"""
import json
from storeteam.inventory.models import Stock, Warehouse
from storeteam.inventory.selectors import salable_quantities
from storeteam.inventory.services import stock_count, stock_levels_set
from storeteam.pricing.models import VariantPrice
units = int(UNITS)
priced = list(VariantPrice.objects.filter(price_list__currency="SEK", price_list__is_default=True,
              variant__product__is_published=True).order_by("variant_id")
              .values_list("variant_id", flat=True).distinct()[:201])
variant = priced[-1]  # kept out of the steady state's variants
rows = Stock.objects.filter(variant_id=variant, warehouse__serves__country="SE").select_related("warehouse")
first = True
for row in rows:
    stock_levels_set(actor=None, stock_id=row.pk, safety_stock=0, low_stock_threshold=0)
    held = row.reserved + row.allocated
    stock_count(actor=None, warehouse=row.warehouse, variant_id=variant,
                counted=held + (units if first else 0), reason="flash sale")
    first = False
if first:
    sto = Warehouse.objects.get(country="SE")
    from storeteam.inventory.services import StockLine, stock_receive
    stock_receive(actor=None, warehouse=sto, lines=[StockLine(variant, units)], reference="flash")
print("FLASH " + json.dumps({"variant": variant, "salable": salable_quantities(variant_ids=[variant], country="SE")[variant], "steady": priced[:-1]}))
"""

CHECK = r"""
import json
from django.db.models import F, Q, Sum
from storeteam.checkout.models import CheckoutAttempt
from storeteam.inventory.models import Stock
from storeteam.orders.models import Order, OrderLine
from storeteam.payments.models import Payment
variant = int(VARIANT)
flash_orders = Order.objects.filter(lines__variant_id=variant).distinct().count()
negative = Stock.objects.filter(Q(on_hand__lt=0) | Q(reserved__lt=0) | Q(allocated__lt=0)
    | Q(on_hand__lt=F("reserved") + F("allocated"))).count()
captured = set(Payment.objects.filter(state="captured").values_list("reference", flat=True))
ordered = set(Order.objects.values_list("reference", flat=True))
print("CHECK " + json.dumps({
    "flash_orders_db": flash_orders,
    "negative_rows": negative,
    "captured_without_order": len(captured - ordered),
    "orders": Order.objects.count(),
    "attempts_open": CheckoutAttempt.objects.exclude(status__in=["completed", "failed"]).count(),
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=ROOT, text=True, check=True, **kwargs)  # type: ignore[call-overload]


def shell(env: dict[str, str], code: str, marker: str) -> str:
    out = run([STORETEAM, "shell", "-c", code], env, capture_output=True).stdout
    return next(x for x in out.splitlines() if x.startswith(marker + " "))[len(marker) + 1 :]


def base_env(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 50, "DEBUG": "false"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def prepare_database(db: str) -> str:
    """A fresh copy of the prepared template database; returns its URL."""
    if db == "sqlite":
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        template = folder / "checkout-template.sqlite3"
        if not template.exists():
            build_template(f"sqlite:///{template}")
        copy = folder / "checkout-run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"
    import psycopg

    admin = "postgres://postgres@127.0.0.1:5432/postgres"
    template, copy = "storeteam_bench_checkout_template", "storeteam_bench_checkout_run"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (template,)
        ).fetchone()
    if not exists:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{template}"')
        build_template(f"postgres://postgres@127.0.0.1:5432/{template}")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    return f"postgres://postgres@127.0.0.1:5432/{copy}"


def build_template(url: str) -> None:
    env = base_env(url)
    started = time.monotonic()
    run([STORETEAM, "migrate", "-v", "0"], env)
    run([STORETEAM, "demo", "--profile", "small", "-v", "0"], env, stdout=subprocess.DEVNULL)
    print("  prepared:", shell(env, PREPARE, "PREPARED"), "variants with stock", flush=True)
    print(f"  template database built in {time.monotonic() - started:.0f} s", flush=True)


# --- a small asyncio HTTP/1.1 client ----------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    ms: float

    def json(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


async def request(port: int, method: str, path: str, body: object = None) -> Answer:
    data = b"" if body is None else json.dumps(body).encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    try:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Accept-Language: en\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        writer.write(head.encode() + data)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    header, _sep, payload = raw.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1]) if header else 0
    return Answer(status, payload, (time.perf_counter() - started) * 1000)


@dataclass
class Tally:
    statuses: dict[int, int] = field(default_factory=dict)
    checkout_ms: list[float] = field(default_factory=list)
    orders: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, answer: Answer) -> Answer:
        self.statuses[answer.status] = self.statuses.get(answer.status, 0) + 1
        if answer.status >= 500 and len(self.errors) < 5:
            self.errors.append(answer.body[:300].decode(errors="replace"))
        return answer


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def cart_with(port: int, tally: Tally, lines: list[int]) -> dict[str, object] | None:
    created = tally.count(await request(port, "POST", f"{API}/carts?lang=sv", {}))
    if created.status != 201:
        return None
    token = created.json()["token"]
    for variant in lines:
        put = tally.count(
            await request(
                port, "PUT", f"{API}/carts/{token}/lines/{variant}?country=SE", {"quantity": 1}
            )
        )
        if put.status != 200:
            return None
    return put.json()


def checkout_body(cart: dict[str, object]) -> dict[str, object]:
    return {
        "key": cart["checkout_key"],
        "email": "buyer@example.com",
        "address": ADDRESS,
        "shipping_method": "postal",
        "payment": {"gateway": "test", "card_number": CARD},
    }


async def baseline(port: int, clients: int, seconds: float) -> float:
    done = 0
    deadline = time.monotonic() + seconds

    async def client() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            if (await request(port, "GET", "/api/v1/health")).status == 200:
                done += 1

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.monotonic() - started)


async def steady(
    port: int, clients: int, seconds: float, variants: list[int]
) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    rng = random.Random(7)

    async def client() -> None:
        while time.monotonic() < deadline:
            cart = await cart_with(port, tally, rng.sample(variants, rng.randint(1, 3)))
            if cart is None:
                continue
            answer = tally.count(
                await request(
                    port,
                    "POST",
                    f"{API}/carts/{cart['token']}/checkout?lang=sv",
                    checkout_body(cart),
                )
            )
            tally.checkout_ms.append(answer.ms)
            if answer.status == 201:
                tally.orders += 1

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return tally, time.monotonic() - started


async def flash(port: int, buyers: int, variant: int, build_clients: int) -> Tally:
    tally = Tally()
    carts: list[dict[str, object]] = []
    gate = asyncio.Semaphore(build_clients)

    async def build() -> None:
        async with gate:
            cart = await cart_with(port, tally, [variant])
            if cart is not None:
                carts.append(cart)

    await asyncio.gather(*(build() for _ in range(buyers)))
    tally.statuses.clear()  # count only the checkouts from here on
    go = asyncio.Event()

    async def buy(cart: dict[str, object]) -> None:
        await go.wait()
        answer = tally.count(
            await request(
                port, "POST", f"{API}/carts/{cart['token']}/checkout?lang=sv", checkout_body(cart)
            )
        )
        tally.checkout_ms.append(answer.ms)
        if answer.status == 201:
            tally.orders += 1
        elif answer.status == 409:
            body = answer.json()
            if body.get("code") != "sold_out" or "sold out" not in str(body.get("detail")):
                tally.errors.append(f"409 not sold out: {body}")
        elif len(tally.errors) < 5:
            tally.errors.append(f"{answer.status}: {answer.body[:200]!r}")

    tasks = [asyncio.create_task(buy(cart)) for cart in carts]
    await asyncio.sleep(0.2)
    go.set()
    await asyncio.gather(*tasks)
    if len(carts) != buyers:
        tally.errors.append(f"only {len(carts)} of {buyers} carts could be built")
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flash-units", type=int, default=100)
    parser.add_argument("--flash-buyers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, args.flash_buyers * 2 + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    print(
        f"checkout benchmark on {args.db}, {os.cpu_count()} cores, {args.workers} server workers"
        f" x {args.threads} threads, {args.clients} clients, {args.seconds:.0f} s steady state,"
        f" flash {args.flash_buyers} buyers for {args.flash_units} units",
        flush=True,
    )
    url = prepare_database(args.db)
    env = base_env(url)
    flash_set = json.loads(shell(env, FLASH_SET.replace("UNITS", str(args.flash_units)), "FLASH"))
    assert flash_set["salable"] == args.flash_units, flash_set
    port = free_port()
    log_path = ROOT / "var" / "bench" / f"checkout-server-{args.db}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [STORETEAM, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--threads", str(args.threads), "--timeout", "120"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/health", timeout=5
                    ).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            # warm every worker's process caches (imports, translations, price lists)
            asyncio.run(steady(port, args.workers * 2, 2, flash_set["steady"]))
            base_rps = asyncio.run(baseline(port, args.clients, 5))
            tally, seconds = asyncio.run(
                steady(port, args.clients, args.seconds, flash_set["steady"])
            )
            flash_tally = asyncio.run(
                flash(port, args.flash_buyers, flash_set["variant"], args.clients)
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
    checked = json.loads(shell(env, CHECK.replace("VARIANT", str(flash_set["variant"])), "CHECK"))
    audit = subprocess.run(
        [STORETEAM, "stock-audit"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    orders_per_s = tally.orders / seconds
    print(f"  baseline (health): {base_rps:.0f} requests/s with {args.clients} clients")
    print(
        f"  steady: {tally.orders} orders in {seconds:.1f} s = {orders_per_s:.1f} orders/s"
        f" ({orders_per_s / base_rps:.3f} of the baseline's requests/s);"
        f" checkout p95 {p95(tally.checkout_ms):.0f} ms; answers {dict(sorted(tally.statuses.items()))}"
    )
    flash_orders = flash_tally.orders
    oversold = max(0, flash_orders - args.flash_units) + max(
        0, checked["flash_orders_db"] - args.flash_units
    )
    oversold += checked["negative_rows"]
    print(
        f"  flash: {flash_orders} orders answered 201 ({checked['flash_orders_db']} in the database) for"
        f" {args.flash_units} units; answers {dict(sorted(flash_tally.statuses.items()))};"
        f" checkout p95 {p95(flash_tally.checkout_ms):.0f} ms"
    )
    print(
        f"  checks: negative stock rows {checked['negative_rows']}, captured payments without an"
        f" order {checked['captured_without_order']}, open checkouts {checked['attempts_open']},"
        f" stock-audit exit {audit.returncode}"
    )
    server_errors = sum(n for s, n in {**tally.statuses}.items() if s >= 500) + sum(
        n for s, n in flash_tally.statuses.items() if s >= 500
    )
    print(f"  5xx answers: {server_errors}; server log {log_path}")
    for error in tally.errors + flash_tally.errors:
        print("  !", error)
    print(
        f"checkout orders_per_s={orders_per_s:.1f} p95_ms={p95(tally.checkout_ms):.0f}"
        f" flash_orders={flash_orders} flash_oversold={oversold}"
        f" flash_p95_ms={p95(flash_tally.checkout_ms):.0f}"
    )


if __name__ == "__main__":
    main()
