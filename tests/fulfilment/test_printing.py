"""The print queue per packing station (F2): a label printer that refuses, drops mid-way, or
never confirms loses no label and prints none twice; queueing is idempotent; the queue knows
how long it takes to clear at the station's capacity. The printer is a real TCP server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from storeteam.core.models import AuditEntry
from storeteam.core.scheduling import periodic_jobs
from storeteam.fulfilment import printing
from storeteam.fulfilment.documents import label_pdf, label_zpl, packing_slip_pdf
from storeteam.fulfilment.models import (
    LabelFormat,
    PackingStation,
    PrintJob,
    PrintKind,
    PrintStatus,
)
from storeteam.fulfilment.printing import (
    PRINTED,
    REPRINT,
    PrintError,
    packing_station_ensure,
    print_enqueue,
    print_job_resolve,
    print_queue_run,
    print_queues_run,
    printer_address_check,
    queue_stats,
)
from tests.checkout.fixtures import Shop, build_shop
from tests.fulfilment.fixtures import RawPrinter, order_of, shipped_parcel

pytestmark = pytest.mark.django_db

LABEL = [PrintKind.LABEL_ZPL]


@pytest.fixture
def printer() -> Iterator[RawPrinter]:
    server = RawPrinter()
    yield server
    server.stop()


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def station_for(shop: Shop, address: str, **extra: Any) -> PackingStation:
    return packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=address, **extra
    )


def labels_in(documents: list[bytes], tracking: str) -> int:
    return sum(1 for doc in documents if f"^FD{tracking}^FS".encode() in doc)


def test_a_print_failure_neither_loses_nor_duplicates_a_label(
    shop: Shop, deliver_events: Any, printer: RawPrinter
) -> None:
    # given two shipped parcels and a station whose label printer is switched off
    station = station_for(shop, printer.address)
    first = shipped_parcel(shop, deliver_events, tracking="PN0001SE")
    second = shipped_parcel(shop, deliver_events, tracking="PN0002SE")
    [job1] = print_enqueue(shipment_id=first.pk, station_id=station.pk, kinds=LABEL)
    printer.refuse()
    now = timezone.now()

    # when the queue runs against the refusing printer
    run = print_queue_run(station_id=station.pk, now=now)

    # then the label waits, with one attempt counted, and nothing reached the printer
    job1.refresh_from_db()
    assert (run.retrying, job1.status, job1.attempts) == (1, PrintStatus.QUEUED, 1)
    assert job1.next_attempt_at > now
    assert "refused" in job1.last_error.lower()
    assert print_queue_run(station_id=station.pk, now=now).printed == 0  # backoff respected

    # when the printer is back after the backoff
    printer.accept()
    later = job1.next_attempt_at
    assert print_queue_run(station_id=station.pk, now=later).printed == 1
    assert print_queue_run(station_id=station.pk, now=later + timedelta(hours=1)).printed == 0
    job1.refresh_from_db()
    assert (job1.status, job1.attempts) == (PrintStatus.PRINTED, 2)
    assert labels_in(printer.received, "PN0001SE") == 1

    # when the printer drops the second label mid-way
    [job2] = print_enqueue(shipment_id=second.pk, station_id=station.pk, kinds=LABEL)
    printer.drop(after=64)
    run = print_queue_run(station_id=station.pk, now=later)
    job2.refresh_from_db()
    assert (run.uncertain, job2.status) == (1, PrintStatus.UNCERTAIN)
    assert len(printer.partial) == 1
    assert len(printer.partial[0]) == 64

    # then the machine never sends it again by itself, however often the queue runs
    printer.accept()
    for hours in (1, 5, 48):
        print_queue_run(station_id=station.pk, now=later + timedelta(hours=hours))
    assert labels_in(printer.received, "PN0002SE") == 0
    job2.refresh_from_db()
    assert job2.status == PrintStatus.UNCERTAIN

    # when the packer sees the torn label and asks for a reprint
    print_job_resolve(job_id=job2.pk, action=REPRINT, actor="packer@store.example")
    assert print_queue_run(station_id=station.pk).printed == 1

    # then each label came out of the printer exactly once
    assert labels_in(printer.received, "PN0001SE") == 1
    assert labels_in(printer.received, "PN0002SE") == 1
    assert len(printer.received) == 2
    assert PrintJob.objects.filter(status=PrintStatus.PRINTED).count() == 2
    assert AuditEntry.objects.filter(action="print_job.reprint").count() == 1


def test_a_printer_that_never_confirms_leaves_the_label_to_a_person(
    shop: Shop, deliver_events: Any, printer: RawPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printing, "SEND_TIMEOUT", 0.5)
    station = station_for(shop, printer.address)
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0003SE")
    [job] = print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=LABEL)
    printer.hang()

    assert print_queue_run(station_id=station.pk).uncertain == 1
    job.refresh_from_db()
    assert job.status == PrintStatus.UNCERTAIN
    printer.accept()
    print_queue_run(station_id=station.pk, now=timezone.now() + timedelta(hours=1))
    assert labels_in(printer.received, "PN0003SE") == 1  # the one that hung, printed

    # the packer sees the label came out
    resolved = print_job_resolve(job_id=job.pk, action=PRINTED, actor="packer@store.example")
    assert resolved.status == PrintStatus.PRINTED
    assert resolved.resolved_by == "packer@store.example"
    assert labels_in(printer.received, "PN0003SE") == 1
    with pytest.raises(PrintError):
        print_job_resolve(job_id=job.pk, action=REPRINT, actor="packer@store.example")


def test_a_printer_answering_the_host_status_request_confirms_the_label(
    shop: Shop, deliver_events: Any, printer: RawPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printing, "SEND_TIMEOUT", 2.0)
    station = station_for(shop, printer.address)
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0012SE")
    [job] = print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=LABEL)
    printer.answer_status()

    assert print_queue_run(station_id=station.pk).printed == 1

    job.refresh_from_db()
    assert job.status == PrintStatus.PRINTED
    assert labels_in(printer.received, "PN0012SE") == 1
    assert printer.received[0].split()[-2:] == [b"^XZ", b"~HS"]
    assert bytes(job.content).rstrip().endswith(b"^XZ")  # the stored label is the label alone


def test_a_job_left_sending_by_a_dead_worker_becomes_uncertain_and_is_not_resent(
    shop: Shop, deliver_events: Any, printer: RawPrinter
) -> None:
    station = station_for(shop, printer.address)
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0004SE")
    [job] = print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=LABEL)
    # a worker claimed it and died before recording the outcome
    claimed_at = timezone.now() - timedelta(seconds=printing.PRINT_STALE_SECONDS + 5)
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintStatus.SENDING, claimed_at=claimed_at, claim="dead", attempts=1
    )

    run = print_queue_run(station_id=station.pk)

    job.refresh_from_db()
    assert (run.reclaimed, job.status) == (1, PrintStatus.UNCERTAIN)
    assert printer.received == []
    assert queue_stats(station).uncertain == 1


def test_a_job_sending_right_now_is_left_to_its_worker(
    shop: Shop, deliver_events: Any, printer: RawPrinter
) -> None:
    station = station_for(shop, printer.address)
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0005SE")
    [job] = print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=LABEL)
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintStatus.SENDING, claimed_at=timezone.now(), claim="busy"
    )
    run = print_queue_run(station_id=station.pk)
    job.refresh_from_db()
    assert (run.printed, run.reclaimed, job.status) == (0, 0, PrintStatus.SENDING)
    assert printer.received == []


def test_retries_end_in_failed_which_is_safe_to_send_again(
    shop: Shop, deliver_events: Any, printer: RawPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printing, "PRINT_MAX_ATTEMPTS", 2)
    station = station_for(shop, printer.address)
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0006SE")
    [job] = print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=LABEL)
    printer.refuse()
    print_queue_run(station_id=station.pk)
    job.refresh_from_db()
    assert job.status == PrintStatus.QUEUED
    run = print_queue_run(station_id=station.pk, now=job.next_attempt_at)
    job.refresh_from_db()
    assert (run.failed, job.status, job.attempts) == (1, PrintStatus.FAILED, 2)
    assert queue_stats(station).failed == 1

    printer.accept()
    print_job_resolve(job_id=job.pk, action=REPRINT, actor="lead@store.example")
    print_queue_run(station_id=station.pk)
    assert labels_in(printer.received, "PN0006SE") == 1


def test_asking_twice_queues_once_and_a_reprint_is_a_new_copy(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    station = station_for(shop, f"dir:{tmp_path}")
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0007SE")

    first = print_enqueue(shipment_id=parcel.pk, station_id=station.pk)
    again = print_enqueue(shipment_id=parcel.pk, station_id=station.pk)

    assert [j.kind for j in first] == [PrintKind.LABEL_ZPL, PrintKind.SLIP_PDF]
    assert [j.pk for j in again] == [j.pk for j in first]
    assert PrintJob.objects.count() == 2

    copies = print_enqueue(
        shipment_id=parcel.pk, station_id=station.pk, reprint=True, actor="lead@store.example"
    )
    assert [j.copy for j in copies] == [2, 2]
    assert PrintJob.objects.count() == 4
    assert AuditEntry.objects.filter(action="print_job.reprint").count() == 2

    assert print_queue_run(station_id=station.pk).printed == 4
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n.rsplit("-", 2)[1:] for n in names] == [
        ["label_zpl", "1.zpl"],
        ["slip_pdf", "1.pdf"],
        ["label_zpl", "2.zpl"],
        ["slip_pdf", "2.pdf"],
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no half files


def test_a_label_waits_for_the_tracking_number(shop: Shop, deliver_events: Any) -> None:
    station = station_for(shop, "dir:prints/sto-1")
    order = order_of(shop, {"WOOL-JACKET-M": 1}, deliver_events)
    parcel = order.shipments.get()
    with pytest.raises(PrintError):
        print_enqueue(shipment_id=parcel.pk, station_id=station.pk)
    assert PrintJob.objects.count() == 0


def test_a_directory_that_cannot_be_written_is_retried(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    station = station_for(shop, f"dir:{blocker}")
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0008SE")
    [job] = print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=LABEL)
    assert print_queue_run(station_id=station.pk).retrying == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (PrintStatus.QUEUED, 1)


def test_queue_stats_measure_the_queue_against_the_station_capacity(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    station = station_for(shop, f"dir:{tmp_path}", labels_per_hour=120)
    parcels = [
        shipped_parcel(shop, deliver_events, tracking=f"PN10{i}SE", lines={"LINEN-SHIRT-S": 1})
        for i in range(3)
    ]
    for parcel in parcels:
        print_enqueue(shipment_id=parcel.pk, station_id=station.pk)

    stats = queue_stats(station)
    assert (stats.queued, stats.queued_labels, stats.uncertain, stats.failed) == (6, 3, 0, 0)
    assert (stats.labels_per_hour, stats.minutes_to_clear) == (120, 2)  # 3 labels at 2 a minute

    slow = packing_station_ensure(
        warehouse=shop.place.se,
        code="sto-1",
        name="Stockholm 1",
        printer=f"dir:{tmp_path}",
        labels_per_hour=2,
    )
    assert queue_stats(slow).minutes_to_clear == 90

    PrintJob.objects.filter(pk=PrintJob.objects.first().pk).update(  # type: ignore[union-attr]
        status=PrintStatus.UNCERTAIN
    )
    print_queue_run(station_id=station.pk)
    stats = queue_stats(station)
    assert (stats.queued, stats.uncertain, stats.printed_last_hour) == (0, 1, 2)
    assert stats.minutes_to_clear == 0


def test_the_workers_run_every_station_queue(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    assert "storeteam.fulfilment.tasks.print_queues_send" in {j.name for j in periodic_jobs()}
    station = station_for(shop, f"dir:{tmp_path}", label_format=LabelFormat.PDF)
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0009SE")
    print_enqueue(shipment_id=parcel.pk, station_id=station.pk)

    runs = print_queues_run()

    assert runs["sto-1"].printed == 2
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".pdf", ".pdf"]


def test_the_zpl_label_carries_the_addresses_and_the_tracking_barcode(
    shop: Shop, deliver_events: Any
) -> None:
    parcel = shipped_parcel(shop, deliver_events, tracking="PN0010SE")
    order = parcel.order
    order.shipping_address = {**order.shipping_address, "name": "Astrid ^XZ~JR Larsson"}
    order.save(update_fields=["shipping_address"])
    parcel.refresh_from_db()

    zpl = label_zpl(parcel).decode()

    assert zpl.startswith("^XA")
    assert zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == 1
    assert zpl.count("^XZ") == 1
    assert "^BCN,260,Y,N,N^FH_^FDPN0010SE^FS" in zpl
    assert "Astrid _5EXZ_7EJR Larsson" in zpl
    assert "Drottninggatan 1" in zpl
    address = order.shipping_address
    assert f"{address['postcode']} {address['city']}" in zpl
    assert f"ORDER {order.number}" in zpl
    assert "POSTNORD parcel" in zpl
    assert "Stockholm" in zpl  # the sending warehouse


def test_the_pdfs_are_real_pdfs_with_what_the_parcel_holds(shop: Shop, deliver_events: Any) -> None:
    parcel = shipped_parcel(
        shop, deliver_events, tracking="PN0011SE", lines={"WOOL-JACKET-M": 1, "LINEN-SHIRT-S": 2}
    )

    slip, label = packing_slip_pdf(parcel), label_pdf(parcel)

    assert slip.startswith(b"%PDF")
    assert label.startswith(b"%PDF")
    slip_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(slip)).pages)
    assert parcel.order.number in slip_text
    assert "LINEN-SHIRT-S" in slip_text
    assert "WOOL-JACKET-M" in slip_text
    assert "Astrid Larsson" in slip_text
    assert "Packsedel" in slip_text  # the order was placed in Swedish
    label_reader = PdfReader(io.BytesIO(label))
    assert len(label_reader.pages) == 1
    assert round(float(label_reader.pages[0].mediabox.width)) == 288  # 4 inches
    assert "PN0011SE" in label_reader.pages[0].extract_text()


def test_printer_addresses_are_checked() -> None:
    assert printer_address_check(" tcp://10.0.0.7:9100 ") == "tcp://10.0.0.7:9100"
    assert printer_address_check("dir:prints/sto-1") == "dir:prints/sto-1"
    for wrong in ("10.0.0.7", "tcp://10.0.0.7", "dir:", "lpr://x:1"):
        with pytest.raises(PrintError):
            printer_address_check(wrong)
