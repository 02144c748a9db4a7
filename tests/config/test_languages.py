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


def test_every_string_in_the_code_is_in_the_catalogs(tmp_path: Path) -> None:
    """Extract the strings from a scratch copy of the code and compare with the catalogs, so a
    new visible string without translations fails here, not in front of a Swedish shopper."""
    import shutil
    import subprocess
    import sys

    source = LOCALE.parent
    copy = tmp_path / "storeteam"
    shutil.copytree(
        source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations", "static")
    )
    (copy / "locale" / "sv" / "LC_MESSAGES").mkdir(parents=True)
    admin = str(Path(sys.executable).with_name("django-admin"))
    subprocess.run(
        [
            admin,
            "makemessages",
            "-l",
            "sv",
            "-e",
            "html,txt,py",
            "--settings=storeteam.config.settings",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=120,
    )
    extracted = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    }
    for language in LANGUAGES:
        po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
        known = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
        assert sorted(m for _c, m in extracted - known) == [], (
            f"run makemessages and translate ({language})"
        )
