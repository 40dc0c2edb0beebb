"""The README's command-line examples run in a fresh clone: every file they name is either in
the repository or marked as the reader's own (YOUR-...), and every import or classification
example that names only repository files runs on the demo database without an error."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
MANAGE = ".venv/bin/python manage.py"
PLACEHOLDER = re.compile(r"^YOUR-[A-Z0-9.-]+")
FILE_ARG = re.compile(r"[\w.-]+\.(csv|json|geojson|html|txt|xlsx)$")
# Commands run here; the rest (servers, workers, migrations) only have their files checked.
RUN = ("import_", "classify_reasons", "load_reason_rules", "reclassify_searches")


def _examples() -> list[list[str]]:
    commands = []
    for block in SHELL_BLOCK.findall(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith(MANAGE):
                commands.append(shlex.split(line[len(MANAGE) :], comments=True))
    return commands


def _files(argv: list[str]) -> list[str]:
    return [arg for arg in argv if FILE_ARG.search(arg) or "/" in arg]


def test_the_readme_has_import_examples():
    names = {argv[0] for argv in _examples()}
    assert {"import_cameras", "import_sharing", "import_portal_page", "import_audit"} <= names


@pytest.mark.parametrize("argv", _examples(), ids=lambda argv: " ".join(argv)[:70])
def test_every_file_an_example_names_is_shipped_or_marked_as_yours(argv):
    for name in _files(argv):
        path = (ROOT / name).resolve()
        shipped = path.is_relative_to(ROOT) and path.is_file()  # ../shared/data is not a clone's
        assert PLACEHOLDER.match(name) or shipped, (
            f"README example names {name!r}: not in the repository and not marked YOUR-..."
        )


@pytest.mark.django_db
def test_the_runnable_examples_run_on_the_demo_database(capsys):
    call_command("seed_demo", verbosity=0)
    runnable = [
        argv
        for argv in _examples()
        if argv[0].startswith(RUN)
        and "<" not in argv
        and not any(PLACEHOLDER.match(name) for name in _files(argv))
    ]
    assert len(runnable) >= 10
    for argv in runnable:
        call_command(*[str(ROOT / a) if (ROOT / a).is_file() else a for a in argv])
    out = capsys.readouterr().out
    assert "failed" not in out.lower(), out
