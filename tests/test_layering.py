"""The house reads one way: every import of every module of the project (those inside functions
included) goes to the same app or to a lower layer, and no two apps import each other.

    core < exports < cameras < searches < hearings < petitions < watch < datasets < alerts
    < records < reports < compare < embeds < portal

``core`` (cities, agencies, law profiles, clerks, audit log, import jobs, API plumbing) imports
no other app; ``portal`` (settings, URLs, Celery, the pages that compose several apps, the demo)
may import them all. Migrations are left out: they name other apps' migrations by label.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "core",
    "exports",
    "cameras",
    "searches",
    "hearings",
    "petitions",
    "watch",
    "datasets",
    "alerts",
    "records",
    "reports",
    "compare",
    "embeds",
    "portal",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def _modules() -> list[tuple[str, Path]]:
    return [
        (app, path)
        for app in LAYERS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
    ]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_every_app_of_the_project_has_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(LAYERS)


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for app, path in _modules()
        for line, target in imports_of(path)
        if target in RANK and RANK[target] > RANK[app]
    ]
    assert upward == []


def test_no_two_apps_import_each_other():
    edges: dict[str, set[str]] = defaultdict(set)
    for app, path in _modules():
        edges[app] |= {t for _line, t in imports_of(path) if t in RANK and t != app}
    cycles = sorted((a, b) for a in edges for b in edges[a] if a < b and a in edges[b])
    assert cycles == []


@pytest.mark.parametrize(
    "source",
    [
        "from portal.views import paginate\n",
        "def f():\n    from searches.models import Search\n",
        "import hearings.models\n",
    ],
)
def test_the_check_sees_top_level_and_function_local_imports(tmp_path, source):
    path = tmp_path / "module.py"
    path.write_text(source)
    targets = {target for _line, target in imports_of(path)}
    assert targets & {"portal", "searches", "hearings"}
    assert RANK[targets.pop()] > RANK["core"]
