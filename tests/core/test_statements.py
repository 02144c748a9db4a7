"""A Statement runs the ORM's SQL, built once, with each call's values in place of its stand-ins."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from storeteam.core.models import ScheduledJob
from storeteam.core.statements import Statement


def jobs_named(*, name: str, not_runs: int) -> QuerySet[ScheduledJob, tuple[str, int]]:
    return ScheduledJob.objects.filter(name=name).exclude(runs=not_runs).values_list("name", "runs")


def test_each_call_runs_the_same_sql_with_its_own_values(
    db: Any, django_assert_num_queries: Any
) -> None:
    from django.utils import timezone

    ScheduledJob.objects.create(name="a", next_run_at=timezone.now(), runs=3)
    ScheduledJob.objects.create(name="b", next_run_at=timezone.now(), runs=4)
    statement = Statement(jobs_named, name="?name", not_runs=987_654_321)
    with django_assert_num_queries(1):
        assert statement.rows(name="a", not_runs=0) == [("a", 3)]
    assert statement.rows(name="a", not_runs=3) == []
    assert statement.rows(name="b", not_runs=0) == list(jobs_named(name="b", not_runs=0))
    assert statement.rows(name="c", not_runs=0) == []


def test_a_stand_in_the_query_does_not_pass_on_as_given_is_refused(db: Any) -> None:
    def upper_cased(*, name: str) -> QuerySet[ScheduledJob, tuple[str]]:
        return ScheduledJob.objects.filter(name=name.upper()).values_list("name")

    with pytest.raises(ImproperlyConfigured, match="not parameters"):
        Statement(upper_cased, name="?name").rows(name="x")
