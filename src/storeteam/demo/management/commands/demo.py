"""`storeteam demo`: load demo data (a catalog of the chosen size) and print one staff login per
role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser, OutputWrapper

from storeteam.core.database import statistics_refresh
from storeteam.demo.catalog import PROFILES, demo_catalog_build
from storeteam.demo.fulfilment import (
    demo_capacity_plans_ensure,
    demo_shifts_ensure,
    demo_stations_ensure,
)
from storeteam.demo.inventory import demo_stock_build
from storeteam.demo.orders import demo_orders_build
from storeteam.demo.services import demo_customer_ensure, demo_orders_actor, demo_staff_ensure


class ProgressBar:
    """One line on stderr, rewritten in place: ``[######......]  45% products 13,500/30,000``."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.open_line = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(self.WIDTH * share)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"\r[{bar}] {share:4.0%} {stage} {done:,}/{total:,}"
        self._write(line)
        self.open_line = done < total
        if not self.open_line:
            self._write("\n")

    def close(self) -> None:
        if self.open_line:
            self._write("\n")
            self.open_line = False

    def _write(self, text: str) -> None:
        self.stream.write(text, style_func=_plain, ending="")
        self.stream.flush()


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent): a catalog of the chosen profile's size, unless the store "
        "already has products, and print one staff login per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--profile",
            choices=list(PROFILES),
            default="small",
            help="catalog size, after Magento's performance toolkit (default: small)",
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="the same seed builds the same catalog"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        profile, seed = options["profile"], options["seed"]
        bar = ProgressBar(self.stderr) if options["verbosity"] > 0 else None
        try:
            summary = demo_catalog_build(profile=profile, seed=seed, progress=bar)
            stock = demo_stock_build(seed=seed, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        if summary.created or stock.created:
            statistics_refresh()  # after the bulk load, before anyone browses it
        if summary.created:
            self.stdout.write(
                f"Demo catalog ({profile}, seed {seed}): {summary.categories:,} categories, "
                f"{summary.products:,} products, {summary.variants:,} variants "
                f"in {summary.seconds:.1f} s"
            )
        else:
            self.stdout.write(
                f"Demo catalog: the store already has {summary.products:,} products "
                f"({summary.variants:,} variants, {summary.categories:,} categories); "
                "nothing added."
            )
        if stock.created:
            self.stdout.write(
                f"Demo stock: {stock.warehouses} warehouses, {stock.rows:,} stock rows, "
                f"{stock.units:,} units in {stock.seconds:.1f} s"
            )
        else:
            self.stdout.write(
                f"Demo stock: the store already has {stock.rows:,} stock rows; nothing added."
            )
        stations = demo_stations_ensure()
        self.stdout.write(
            f"Packing stations: {len(stations)}, printing into "
            f"{settings.VAR_DIR / 'prints'}/<station>/ "
            f"({', '.join(station.code for station in stations)})"
        )
        self.stdout.write(f"Packing shifts: {demo_shifts_ensure()} warehouses, Monday to Saturday")
        self.stdout.write(
            f"Same-day cut-offs and campaign forecasts: {demo_capacity_plans_ensure()} forecast"
        )
        logins = demo_staff_ensure()
        shopper = demo_customer_ensure()
        orders = demo_orders_build(seed=seed, staff_actor=demo_orders_actor())
        if orders.created:
            states = ", ".join(f"{n} {status}" for status, n in sorted(orders.by_status.items()))
            self.stdout.write(
                f"Demo orders: {orders.orders} placed through checkout ({states}) "
                f"in {orders.seconds:.1f} s"
            )
        else:
            self.stdout.write(f"Demo orders: the store already has {orders.orders:,}; none added.")
        base = settings.STORE_URL
        self.stdout.write(f"\nStaff sign in at {base}/staff/ (passwords are new on every run):\n")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<24} {login.email:<{width}}  {login.password}")
        self.stdout.write(f"\nA shopper signs in at {base}/account/login/:\n")
        self.stdout.write(f"  {'customer':<24} {shopper.email:<{width}}  {shopper.password}\n")
