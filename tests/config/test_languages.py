"""Every visible string exists in English, Swedish, French and Dutch (S11)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "storeteam" / "locale"
LANGUAGES = ["sv", "fr", "nl"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_compiled(language: str) -> None:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert untranslated == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po.translated_entries()) >= 150
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo.is_file(), "make test compiles the catalogs"
    assert mo.stat().st_mtime >= (LOCALE / language / "LC_MESSAGES" / "django.po").stat().st_mtime


@pytest.mark.parametrize(
    ("language", "expected"),
    [("sv", "Skapa ett konto"), ("fr", "Créer un compte"), ("nl", "Account aanmaken")],
)
def test_storefront_speaks_each_language_under_its_prefix(
    language: str, expected: str, db: None
) -> None:
    response = Client().get(f"/{language}/")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert expected in response.content.decode()


def test_placeholders_survive_translation() -> None:
    with translation.override("fr"):
        from django.utils.translation import ngettext

        text = ngettext("%(n)s dead letter", "%(n)s dead letters", 2) % {"n": 2}
    assert text.startswith("2 ")
