"""The Spanish catalogue: complete, current with the code, faithful to its placeholders, compiled.

``locale/es/LC_MESSAGES/django.po`` is read with the small parser below (no .po library is in
the lock). The catalogue must hold a translation for every msgid the code and templates mark,
with no fuzzy or obsolete entry, and the committed ``django.mo`` must say what the .po says.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The same folders the Makefile's `makemessages` leaves out: none of them ships a page string.
IGNORED = [".venv", "node_modules", "media", "staticfiles", "tests", "bench", "scripts"]


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None  # which field a continuation line extends

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, value = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if keyword in ("msgctxt", "msgid") and (
                entry is None or entry.msgstr or keyword == "msgctxt"
            ):
                entry = Entry(msgid="", flags=flags, obsolete=obsolete, line=number)
                entries.append(entry)
                flags = set()
            assert entry is not None, f"{path}:{number}: {keyword} before any msgid"
            if keyword == "msgctxt":
                entry.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                position = int(index) if index is not None else 0
                entry.msgstr[position], target = value, ("msgstr", position)
            continue
        assert line.startswith('"') and entry is not None and target, f"{path}:{number}: {raw}"
        value = ast.literal_eval(line)
        name, position = target
        if name == "msgstr":
            entry.msgstr[position] += value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    return entries


# printf-style conversions (%(name)s, %s, %d, %.1f, %r, %%), str.format fields and HTML tags and
# entities: what a translation must keep, in any order.
PLACEHOLDER = re.compile(
    r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXc%]"
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"
    r"|</?[A-Za-z][^>]*>"
    r"|&[a-z]+;"
)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return parse_po(PO)


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid]


def test_the_parser_reads_contexts_plurals_continuations_flags_and_obsolete_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        '#, python-format\nmsgctxt "compass point"\nmsgid "N"\nmsgstr "N"\n\n'
        '#, fuzzy\nmsgid ""\n"one "\n"line"\nmsgstr "una línea"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s día"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Ido"\n',
        encoding="utf-8",
    )
    header, compass, fuzzy, plural, gone = parse_po(po)
    assert header.msgid == "" and header.msgstr[0] == "Language: es\n"
    assert compass.key == ("compass point", "N", None) and "python-format" in compass.flags
    assert fuzzy.msgid == "one line" and fuzzy.flags == {"fuzzy"}
    assert plural.msgstr == {0: "%(n)s día", 1: ""}
    assert gone.obsolete and gone.msgstr == {0: "Ido"}


def test_the_header_declares_spanish_utf8_and_two_plural_forms(catalogue):
    header = dict(
        line.split(": ", 1) for line in catalogue[0].msgstr[0].splitlines() if ": " in line
    )
    assert catalogue[0].msgid == ""
    assert header["Language"] == "es"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_msgid_is_translated_and_none_is_fuzzy_or_obsolete(catalogue):
    problems = []
    for entry in messages(catalogue):
        where = f"line {entry.line}: {entry.msgid[:60]!r}"
        if entry.obsolete:
            problems.append(f"obsolete {where}")
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy {where}")
        wanted = (0, 1) if entry.msgid_plural is not None else (0,)
        if sorted(entry.msgstr) != list(wanted) or not all(entry.msgstr.values()):
            problems.append(f"untranslated {where}")
    assert problems == []
    assert len(messages(catalogue)) > 1500


def test_translations_keep_every_placeholder_and_tag(catalogue):
    problems = []
    for entry in messages(catalogue):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for position, source in enumerate(sources):
            translated = entry.msgstr.get(position, "")
            if placeholders(source) != placeholders(translated):
                problems.append(
                    f"line {entry.line}: {placeholders(source)} != {placeholders(translated)}"
                )
            if source.endswith("\n") != translated.endswith("\n"):
                problems.append(f"line {entry.line}: trailing newline differs")
    assert problems == []


def test_the_placeholder_check_catches_a_lost_or_renamed_placeholder():
    assert placeholders("Comments close %(when)s.") == placeholders("Cierran el %(when)s.")
    assert placeholders("%(percent)s%% of the goal") == ["%%", "%(percent)s"]
    assert placeholders("Hearings in %(city)s") != placeholders("Audiencias en %(ciudad)s")
    assert placeholders('<a href="%(url)s">%(title)s</a>') != placeholders("%(title)s")


def test_the_compiled_catalogue_says_what_the_po_says(catalogue):
    assert MO.exists(), "run `make messages` and commit locale/es/LC_MESSAGES/django.mo"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages(catalogue):
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if compiled._catalog.get(msgid) != entry.msgstr[0]:  # type: ignore[attr-defined]
                stale.append(entry.msgid)
        elif [compiled._catalog.get((msgid, n)) for n in (0, 1)] != [  # type: ignore[attr-defined]
            entry.msgstr[0],
            entry.msgstr[1],
        ]:
            stale.append(entry.msgid)
    assert stale == [], "django.mo is older than django.po: run `make messages`"


def copy_sources(target: Path) -> None:
    """The files makemessages reads (.py, .html, .txt), without the locale folder or IGNORED."""
    root = Path(settings.BASE_DIR)
    skipped = {root / name for name in [*IGNORED, "locale", ".git"]}
    for path in root.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or not path.is_file():
            continue
        if any(parent in skipped for parent in path.parents):
            continue
        copy = target / path.relative_to(root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_the_catalogue_holds_exactly_the_msgids_of_the_code(catalogue, tmp_path, monkeypatch):
    # makemessages writes into any "locale" folder it finds under the working directory, so it
    # runs on a copy of the sources and writes a fresh catalogue beside them.
    copy_sources(tmp_path / "src")
    monkeypatch.chdir(tmp_path / "src")
    with override_settings(LOCALE_PATHS=[str(tmp_path / "src" / "locale")]):
        call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)
    fresh_po = tmp_path / "src" / "locale" / "es" / "LC_MESSAGES" / "django.po"
    fresh = {entry.key for entry in messages(parse_po(fresh_po))}
    committed = {entry.key for entry in messages(catalogue) if not entry.obsolete}
    assert sorted(fresh - committed, key=str) == [], "new msgids: run `make makemessages`"
    assert sorted(committed - fresh, key=str) == [], "msgids no longer in the code"


def test_reason_categories_and_flags_read_in_spanish():
    from searches.models import FLAG_LABELS
    from searches.rules_data import CATEGORIES

    with translation.override("es"):
        names = {category["name"]: translation.gettext(category["name"]) for category in CATEGORIES}
        flags = [str(label) for label in FLAG_LABELS.values()]
    assert names["Hit and run and traffic"] == "Fuga tras un choque y tránsito"
    assert [name for name, spanish in names.items() if name == spanish] == []
    assert "Uso prohibido por la ley estatal" in flags


@pytest.mark.django_db
def test_the_methodology_page_shows_the_migrated_rules_in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("portal:methodology")).content.decode()
    assert '<html lang="es">' in page
    assert "Fuga tras un choque y tránsito" in page and "Hit and run and traffic" not in page
    assert "Motivos que ninguna regla reconoce." in page
    assert "Reasons no rule recognizes." not in page


@pytest.mark.django_db
def test_the_header_switch_is_one_post_button_and_the_choice_lasts_a_year(client):
    home = client.get(reverse("portal:home")).content.decode()
    switch = re.search(r'<form class="language-switch".*?</form>', home, re.S)
    assert switch and 'action="/i18n/setlang/"' in switch.group(0)
    assert re.search(r'<button type="submit" name="language" value="es"', switch.group(0))
    assert '<span lang="es">Español</span>' in switch.group(0)
    assert "Modificar" not in home

    answer = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    cookie = answer.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert answer.status_code == 302 and cookie.value == "es"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    spanish = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="es">' in spanish and '<span lang="en">English</span>' in spanish
    assert ">Ciudades</a>" in spanish and ">Cities</a>" not in spanish
