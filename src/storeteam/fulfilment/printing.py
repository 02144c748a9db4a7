"""The print queue of each packing station (F2): labels and packing slips that are never lost
and never printed twice by the machine.

A document is rendered once, when it is queued (``print_enqueue``), and stored with the job.
``print_queue_run`` claims the station's next due job with one conditional ``UPDATE`` (queued ->
sending; however many workers run, one wins each job), sends it with no transaction open, and
records the outcome:

- printed: the printer took every byte (it answered the ZPL host status request ``~HS`` sent
  after a label, or closed the connection after our end of data, or the file is in place);
- back to queued with a backoff: nothing reached the printer (connection refused, host down,
  directory not writable); after ``PRINT_MAX_ATTEMPTS`` the job is failed, still safe to resend;
- uncertain: bytes may have reached the printer without a confirmation (the connection broke
  while sending or the printer never answered), or a worker died while sending (a job left
  'sending' longer than ``PRINT_STALE_SECONDS``). An uncertain job is never sent again by the
  machine: a person looks at the printer and chooses "reprint" or "it printed"
  (``print_job_resolve``).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.core.audit import audit_record
from storeteam.core.errors import NotFoundError
from storeteam.fulfilment import documents
from storeteam.fulfilment.models import (
    LABEL_KINDS,
    LabelFormat,
    PackingStation,
    PrintJob,
    PrintKind,
    PrintStatus,
    Shipment,
    ShipmentStatus,
)
from storeteam.fulfilment.services import FulfilmentError, Problem, SetupError, shipment_ship
from storeteam.inventory.models import Warehouse

PRINT_MAX_ATTEMPTS = 8
PRINT_BACKOFF_SECONDS = 5
PRINT_BACKOFF_CAP_SECONDS = 300
# A job 'sending' this long lost its worker (the send itself times out well before).
PRINT_STALE_SECONDS = 120
CONNECT_TIMEOUT = 3.0
SEND_TIMEOUT = 15.0

RENDERERS: dict[str, Callable[[Shipment], bytes]] = {
    PrintKind.LABEL_ZPL: documents.label_zpl,
    PrintKind.LABEL_PDF: documents.label_pdf,
    PrintKind.SLIP_PDF: documents.packing_slip_pdf,
}
EXTENSIONS: dict[str, str] = {
    PrintKind.LABEL_ZPL: "zpl",
    PrintKind.LABEL_PDF: "pdf",
    PrintKind.SLIP_PDF: "pdf",
}


class PrintError(FulfilmentError):
    """The print request cannot be done as asked; nothing changed."""


class PrinterUnreachableError(Exception):
    """Nothing reached the printer: sending again cannot print twice."""


class PrinterUncertainError(Exception):
    """Bytes may have reached the printer, but it did not confirm taking them."""


def _who(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(getattr(actor, "email", "") or actor)[:200]


# Printers --------------------------------------------------------------------------------


def printer_address_check(address: str) -> str:
    """``address`` normalised, or ``PrintError`` saying what a printer address looks like."""
    address = address.strip()
    if address.startswith("dir:") and address[4:].strip():
        return "dir:" + address[4:].strip()
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.hostname and port:
            return f"tcp://{parts.hostname}:{port}"
    raise PrintError(
        _("A printer address is tcp://host:9100 (a network printer) or dir:path (files).")
    )


def printer_directory(address: str) -> Path:
    """Where a ``dir:`` printer writes; relative paths are under the store's var directory."""
    path = Path(address[4:])
    return path if path.is_absolute() else Path(settings.VAR_DIR) / path


# ZPL's host status request: the printer answers at once with three STX ... ETX strings. Sent
# after a label, the answer means the printer has read every byte before it.
HOST_STATUS = b"\n~HS\n"
ETX = b"\x03"


def _send_tcp(address: str, content: bytes) -> None:
    parts = urlsplit(address)
    ask_status = content.lstrip().startswith(b"^XA")
    try:
        sock = socket.create_connection(
            (parts.hostname or "", parts.port or 9100), timeout=CONNECT_TIMEOUT
        )
    except OSError as exc:
        raise PrinterUnreachableError(str(exc) or exc.__class__.__name__) from exc
    try:
        sock.settimeout(SEND_TIMEOUT)
        sock.sendall(content + HOST_STATUS if ask_status else content)
        # End of data. The confirmation is the printer's status answer (ZPL), or the printer
        # closing its side once it has read everything; a reset or silence is not.
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
            if ask_status and answer.count(ETX) >= 3:
                break
    except OSError as exc:
        raise PrinterUncertainError(str(exc) or exc.__class__.__name__) from exc
    finally:
        sock.close()


def _send_dir(address: str, name: str, content: bytes) -> None:
    directory = printer_directory(address)
    part = directory / f".{name}.part"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        part.write_bytes(content)
        os.replace(part, directory / name)  # atomic: the file is there whole, or not at all
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise PrinterUnreachableError(str(exc)) from exc


def printer_send(address: str, *, name: str, content: bytes) -> None:
    """Send one document to the printer at ``address``. Raises ``PrinterUnreachableError`` when
    nothing reached it and ``PrinterUncertainError`` when it may have printed unconfirmed."""
    if address.startswith("tcp://"):
        _send_tcp(address, content)
    elif address.startswith("dir:"):
        _send_dir(address, name, content)
    else:
        raise PrinterUnreachableError(f"unknown printer address {address!r}")


# Stations --------------------------------------------------------------------------------


def packing_station_ensure(
    *,
    warehouse: Warehouse,
    code: str,
    name: str,
    printer: str,
    labels_per_hour: int = 120,
    label_format: str = LabelFormat.ZPL,
    prints_packing_slips: bool = True,
) -> PackingStation:
    """The packing station with ``code``, created or updated to these settings."""
    if labels_per_hour < 1:
        raise PrintError(_("A station prints at least one label an hour."))
    station, _created = PackingStation.objects.update_or_create(
        code=code,
        defaults={
            "warehouse": warehouse,
            "name": name,
            "printer": printer_address_check(printer),
            "labels_per_hour": labels_per_hour,
            "label_format": label_format,
            "prints_packing_slips": prints_packing_slips,
        },
    )
    return station


@dataclass(frozen=True)
class StationSettings:
    """What a person sets of a packing station (everything but its code)."""

    warehouse: Warehouse
    name: str
    printer: str
    label_format: str
    labels_per_hour: int
    prints_packing_slips: bool = True
    is_active: bool = True


MAX_LABELS_PER_HOUR = 10_000
STATION_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _station_problems(settings: StationSettings) -> tuple[list[Problem], str]:
    problems = []
    if not settings.warehouse.is_active:
        problems.append(Problem(_("Choose a warehouse that is in use."), "warehouse"))
    if not settings.name.strip():
        problems.append(Problem(_("Give the station a name."), "name"))
    elif len(settings.name.strip()) > 120:
        problems.append(Problem(_("A station's name has at most 120 characters."), "name"))
    printer = ""
    try:
        printer = printer_address_check(settings.printer)
    except PrintError as exc:
        problems.append(Problem(exc.message, "printer"))
    if settings.label_format not in LabelFormat.values:
        problems.append(Problem(_("Choose ZPL or PDF labels."), "label_format"))
    if not 1 <= settings.labels_per_hour <= MAX_LABELS_PER_HOUR:
        problems.append(
            Problem(
                _("A station prints from 1 to %(max)d labels an hour.")
                % {"max": MAX_LABELS_PER_HOUR},
                "labels_per_hour",
            )
        )
    return problems, printer


def _station_state(station: PackingStation) -> dict[str, Any]:
    return {
        "warehouse": station.warehouse.code,
        "name": station.name,
        "printer": station.printer,
        "label_format": station.label_format,
        "labels_per_hour": station.labels_per_hour,
        "prints_packing_slips": station.prints_packing_slips,
        "is_active": station.is_active,
    }


def _station_apply(station: PackingStation, settings: StationSettings, printer: str) -> None:
    station.warehouse = settings.warehouse
    station.name = settings.name.strip()
    station.printer = printer
    station.label_format = settings.label_format
    station.labels_per_hour = settings.labels_per_hour
    station.prints_packing_slips = settings.prints_packing_slips
    station.is_active = settings.is_active


def packing_station_create(
    *, code: str, settings: StationSettings, actor: Any, ip_address: str | None = None
) -> PackingStation:
    """Add a packing station (F2) with its printer and capacity. Every problem is listed at
    once (``SetupError``) and nothing is written; audited as ``packing_station.create``."""
    code = code.strip().lower()
    problems, printer = _station_problems(settings)
    if not STATION_CODE.match(code) or len(code) > 30:
        problems.insert(
            0,
            Problem(
                _("A code is up to 30 lower-case letters, digits and dashes, e.g. sto-3."), "code"
            ),
        )
    elif PackingStation.objects.filter(code=code).exists():
        problems.insert(
            0, Problem(_("There is already a station %(code)s.") % {"code": code}, "code")
        )
    if problems:
        raise SetupError(problems)
    station = PackingStation(code=code)
    _station_apply(station, settings, printer)
    try:
        with transaction.atomic():
            station.save()
            audit_record(
                actor=actor,
                action="packing_station.create",
                target=station,
                after={"code": code, **_station_state(station)},
                ip_address=ip_address,
            )
    except IntegrityError:
        # Someone added the same code a moment ago.
        raise SetupError(
            [Problem(_("There is already a station %(code)s.") % {"code": code}, "code")]
        ) from None
    return station


def packing_station_update(
    *, station_id: int, settings: StationSettings, actor: Any, ip_address: str | None = None
) -> PackingStation:
    """Change a packing station's name, warehouse, printer, label format, capacity or whether it
    is in use, all or nothing; audited as ``packing_station.update`` with the state before and
    after (a change that changes nothing is not audited). An inactive station's queue waits."""
    problems, printer = _station_problems(settings)
    if problems:
        raise SetupError(problems)
    with transaction.atomic():
        station = (
            PackingStation.objects.select_for_update()
            .select_related("warehouse")
            .filter(pk=station_id)
            .first()
        )
        if station is None:
            raise NotFoundError(_("There is no such packing station."))
        before = _station_state(station)
        _station_apply(station, settings, printer)
        after = _station_state(station)
        if after != before:
            station.save()
            audit_record(
                actor=actor,
                action="packing_station.update",
                target=station,
                before=before,
                after=after,
                ip_address=ip_address,
            )
    return station


def station_kinds(station: PackingStation) -> list[str]:
    """What a station prints for a shipped parcel: its label, and the slip if it prints them."""
    kinds: list[str] = [
        PrintKind.LABEL_ZPL if station.label_format == LabelFormat.ZPL else PrintKind.LABEL_PDF
    ]
    if station.prints_packing_slips:
        kinds.append(PrintKind.SLIP_PDF)
    return kinds


# Queueing --------------------------------------------------------------------------------


def _key(shipment_id: int, kind: str, copy: int) -> str:
    return f"shipment-{shipment_id}-{kind}-{copy}"


def print_enqueue(
    *,
    shipment_id: int,
    station_id: int,
    kinds: Iterable[str] | None = None,
    reprint: bool = False,
    actor: Any = None,
) -> list[PrintJob]:
    """Queue the parcel's documents (``kinds``, by default what the station prints) on the
    station's printer. Idempotent: a document already queued or printed for the parcel is
    returned, not queued again. ``reprint=True`` (a person asked: a label torn, a slip lost)
    queues a new copy of each and audits it. Labels need the tracking number, so a parcel's
    label is queued once it has shipped."""
    station = PackingStation.objects.filter(pk=station_id).first()
    if station is None:
        raise NotFoundError(_("There is no such packing station."))
    shipment = Shipment.objects.select_related("order", "warehouse").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFoundError(_("There is no such shipment."))
    wanted = list(dict.fromkeys(kinds if kinds is not None else station_kinds(station)))
    unknown = [kind for kind in wanted if kind not in RENDERERS]
    if unknown:
        raise PrintError(_("Unknown document: %(kind)s.") % {"kind": ", ".join(unknown)})
    if any(kind in LABEL_KINDS for kind in wanted) and shipment.status != ShipmentStatus.SHIPPED:
        raise PrintError(_("A parcel's label is printed once it ships with a tracking number."))
    jobs = []
    for kind in wanted:
        if not reprint:
            existing = PrintJob.objects.filter(key=_key(shipment.pk, kind, 1)).first()
            if existing is not None:
                jobs.append(existing)
                continue
        # Rendered before the transaction: a PDF takes a moment, no lock should wait for it.
        content = RENDERERS[kind](shipment)
        now = timezone.now()
        try:
            with transaction.atomic():
                copy = 1
                if reprint:
                    top = PrintJob.objects.filter(shipment=shipment, kind=kind).aggregate(
                        top=Max("copy")
                    )["top"]
                    copy = (top or 0) + 1
                job = PrintJob.objects.create(
                    station=station,
                    shipment=shipment,
                    kind=kind,
                    copy=copy,
                    key=_key(shipment.pk, kind, copy),
                    content=content,
                    requested_by=_who(actor),
                    created_at=now,
                    next_attempt_at=now,
                )
                if reprint:
                    audit_record(
                        actor=actor,
                        action="print_job.reprint",
                        target=job,
                        after={"station": station.code, "kind": kind, "copy": copy},
                    )
        except IntegrityError:
            # Someone queued the same copy a moment ago: theirs is the one.
            job = PrintJob.objects.get(key=_key(shipment.pk, kind, 1 if not reprint else copy))
        jobs.append(job)
    return jobs


def shipment_ship_and_print(
    *,
    shipment_id: int,
    carrier: str,
    service: str,
    tracking_number: str,
    station_id: int,
    actor: Any,
) -> tuple[Shipment, list[PrintJob]]:
    """Ship the packed parcel (``services.shipment_ship``), then queue its label and slip on
    the station. Both steps are idempotent, so pressing "ship" again after an error only does
    what is missing."""
    if not PackingStation.objects.filter(pk=station_id, is_active=True).exists():
        raise PrintError(_("Choose the packing station whose printer prints the label."))
    shipment = shipment_ship(
        shipment_id=shipment_id,
        carrier=carrier,
        service=service,
        tracking_number=tracking_number,
        actor=actor,
    )
    jobs = print_enqueue(shipment_id=shipment.pk, station_id=station_id, actor=actor)
    return shipment, jobs


# Sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRun:
    printed: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    reclaimed: int = 0


def _backoff(attempts: int) -> timedelta:
    seconds = PRINT_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, PRINT_BACKOFF_CAP_SECONDS))


def print_jobs_reclaim(
    *, station_id: int | None = None, now: datetime | None = None, stale_after: int | None = None
) -> int:
    """Mark uncertain every job left 'sending' longer than ``stale_after`` seconds: its worker
    died, maybe after the printer took the bytes, so it is not resent without a person."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=PRINT_STALE_SECONDS if stale_after is None else stale_after)
    jobs = PrintJob.objects.filter(status=PrintStatus.SENDING, claimed_at__lt=limit)
    if station_id is not None:
        jobs = jobs.filter(station_id=station_id)
    return jobs.update(
        status=PrintStatus.UNCERTAIN,
        last_error="The worker stopped while sending; check the printer.",
    )


def _claim_next(station_id: int, now: datetime) -> tuple[PrintJob, str] | None:
    for _attempt in range(5):
        candidate = (
            PrintJob.objects.filter(
                station_id=station_id, status=PrintStatus.QUEUED, next_attempt_at__lte=now
            )
            .order_by("created_at", "id")
            .values_list("pk", flat=True)
            .first()
        )
        if candidate is None:
            return None
        claim = secrets.token_hex(8)
        won = PrintJob.objects.filter(pk=candidate, status=PrintStatus.QUEUED).update(
            status=PrintStatus.SENDING,
            claim=claim,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        if won:
            return PrintJob.objects.select_related("station", "shipment").get(pk=candidate), claim
    return None  # others keep winning: they are draining this queue


def _file_name(job: PrintJob) -> str:
    return f"{job.pk:07d}-{job.shipment.label}-{job.kind}-{job.copy}.{EXTENSIONS[job.kind]}"


def print_queue_run(*, station_id: int, now: datetime | None = None, limit: int = 50) -> QueueRun:
    """Send the station's due jobs, oldest first, up to ``limit``; stop at the first printer
    that cannot be reached (the rest wait for their backoff). Runs outside any transaction:
    each claim and each outcome is one committed ``UPDATE``."""
    now = now or timezone.now()
    reclaimed = print_jobs_reclaim(station_id=station_id, now=now)
    printed = retrying = failed = uncertain = 0
    for _done in range(limit):
        claimed = _claim_next(station_id, now)
        if claimed is None:
            break
        job, claim = claimed
        mine = PrintJob.objects.filter(pk=job.pk, claim=claim)
        try:
            printer_send(job.station.printer, name=_file_name(job), content=bytes(job.content))
        except PrinterUnreachableError as exc:
            give_up = job.attempts >= PRINT_MAX_ATTEMPTS
            mine.filter(status=PrintStatus.SENDING).update(
                status=PrintStatus.FAILED if give_up else PrintStatus.QUEUED,
                next_attempt_at=now + _backoff(job.attempts),
                last_error=str(exc)[:300],
                claim="",
            )
            failed += give_up
            retrying += not give_up
            break  # the printer is down: the other jobs would meet the same
        except PrinterUncertainError as exc:
            mine.filter(status=PrintStatus.SENDING).update(
                status=PrintStatus.UNCERTAIN, last_error=str(exc)[:300]
            )
            uncertain += 1
        else:
            # Also when a reclaim marked it uncertain meanwhile: now it is known to have printed.
            mine.filter(status__in=(PrintStatus.SENDING, PrintStatus.UNCERTAIN)).update(
                status=PrintStatus.PRINTED, printed_at=timezone.now(), last_error="", claim=""
            )
            printed += 1
    return QueueRun(printed, retrying, failed, uncertain, reclaimed)


def print_queues_run(*, now: datetime | None = None) -> dict[str, QueueRun]:
    """Run the queue of every active station that has a due job (the periodic task)."""
    now = now or timezone.now()
    print_jobs_reclaim(now=now)
    due = (
        PrintJob.objects.filter(
            status=PrintStatus.QUEUED, next_attempt_at__lte=now, station__is_active=True
        )
        .values_list("station_id", "station__code")
        .distinct()
    )
    return {code: print_queue_run(station_id=pk, now=now) for pk, code in sorted(set(due))}


# People's decisions ----------------------------------------------------------------------

REPRINT = "reprint"
PRINTED = "printed"


def print_job_resolve(*, job_id: int, action: str, actor: Any) -> PrintJob:
    """A person's decision about an uncertain or failed job, audited: ``reprint`` sends the
    same document again (queued now), ``printed`` records that the printer did print it."""
    if action not in (REPRINT, PRINTED):
        raise PrintError(_("Choose reprint or printed."))
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFoundError(_("There is no such print job."))
        if job.status not in (PrintStatus.UNCERTAIN, PrintStatus.FAILED):
            raise PrintError(
                _("This job is %(status)s: only uncertain or failed jobs wait for a decision.")
                % {"status": job.get_status_display()}
            )
        before = {"status": job.status, "attempts": job.attempts, "error": job.last_error}
        now = timezone.now()
        job.resolved_by = _who(actor)
        job.claim = ""
        if action == PRINTED:
            job.status = PrintStatus.PRINTED
            job.printed_at = now
        else:
            job.status = PrintStatus.QUEUED
            job.attempts = 0
            job.next_attempt_at = now
        job.save(
            update_fields=[
                "status",
                "printed_at",
                "attempts",
                "next_attempt_at",
                "resolved_by",
                "claim",
            ]
        )
        audit_record(
            actor=actor,
            action=f"print_job.{action}",
            target=job,
            before=before,
            after={"status": job.status},
        )
    return job


# Figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStats:
    station: PackingStation
    queued: int  # waiting or being sent, every kind
    queued_labels: int
    uncertain: int
    failed: int
    printed_last_hour: int
    labels_per_hour: int

    @property
    def minutes_to_clear(self) -> int:
        """How long the queued labels take at the station's capacity (rounded up)."""
        return math.ceil(self.queued_labels * 60 / max(self.labels_per_hour, 1))

    @property
    def needs_a_person(self) -> int:
        return self.uncertain + self.failed


def queues_stats(
    *,
    warehouse_id: int | None = None,
    station_id: int | None = None,
    now: datetime | None = None,
) -> list[QueueStats]:
    """Each active station's queue: length, time to clear at its capacity, what needs a person.
    One query for every station."""
    now = now or timezone.now()
    waiting = Q(jobs__status__in=(PrintStatus.QUEUED, PrintStatus.SENDING))
    stations = PackingStation.objects.select_related("warehouse").annotate(
        n_queued=Count("jobs", filter=waiting),
        n_queued_labels=Count("jobs", filter=waiting & Q(jobs__kind__in=LABEL_KINDS)),
        n_uncertain=Count("jobs", filter=Q(jobs__status=PrintStatus.UNCERTAIN)),
        n_failed=Count("jobs", filter=Q(jobs__status=PrintStatus.FAILED)),
        n_printed=Count(
            "jobs",
            filter=Q(
                jobs__status=PrintStatus.PRINTED,
                jobs__kind__in=LABEL_KINDS,
                jobs__printed_at__gte=now - timedelta(hours=1),
            ),
        ),
    )
    if station_id is None:
        stations = stations.filter(is_active=True)
    if warehouse_id is not None:
        stations = stations.filter(warehouse_id=warehouse_id)
    if station_id is not None:
        stations = stations.filter(pk=station_id)
    return [
        QueueStats(
            station=station,
            queued=station.n_queued,
            queued_labels=station.n_queued_labels,
            uncertain=station.n_uncertain,
            failed=station.n_failed,
            printed_last_hour=station.n_printed,
            labels_per_hour=station.labels_per_hour,
        )
        for station in stations
    ]


def queue_stats(station: PackingStation, *, now: datetime | None = None) -> QueueStats:
    """One station's queue figures (see ``queues_stats``)."""
    found = queues_stats(station_id=station.pk, now=now)
    return found[0] if found else QueueStats(station, 0, 0, 0, 0, 0, station.labels_per_hour)
