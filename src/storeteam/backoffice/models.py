"""Long work started from the back office, with its progress, so a person can watch it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    CHECKING = "checking", _("Checking every row")
    WRITING = "writing", _("Saving")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused: nothing was imported")
    FAILED = "failed", _("Failed: nothing was imported")


class ImportJob(models.Model):
    """One uploaded CSV file and what became of it. The file stays in a private folder (never
    served); ``problems`` lists what is wrong, by line, when the file is refused."""

    kind = models.CharField(max_length=20, default="catalog")
    file_path = models.CharField(max_length=500)
    file_name = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"line": n, "message": "…"}]
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="import_job_recent")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.file_name})"

    @property
    def is_finished(self) -> bool:
        return self.state in {ImportState.DONE, ImportState.REFUSED, ImportState.FAILED}

    @property
    def percent(self) -> int:
        if self.state == ImportState.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(90 * self.checked_rows / self.total_rows))
