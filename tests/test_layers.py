"""The house has one direction: every import points down, and no two files import each other.

    portfolio (the project)   settings, urls, admin site, demo
    api                       the open data API, above the domain
    committees                dossiers, reviews, decisions (freeze indicators and money)
    impact                    indicators, cost per impact (reads money)
    budgets                   conventions, tranches, AE and CP
    startups                  the registry, phases, the importer
    publishing                the shared floor: cache, exports, formats, charts; no domain

docs/architecture.md draws the same picture. Imports inside functions count as much as those at
the top of a file: a lazy import is still a dependency.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["publishing", "startups", "budgets", "impact", "committees", "api", "portfolio"]
RANK = {package: rank for rank, package in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for package in LAYERS for path in sorted((ROOT / package).rglob("*.py"))
}


def imported_modules(path: Path) -> set[str]:
    """The project's modules `path` imports, wherever the import stands in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from a import b` imports the module a.b when there is one, else a.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULES
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] in RANK)
    return found


IMPORTS = {module: imported_modules(path) for module, path in MODULES.items()}


def test_the_walk_sees_every_package_and_their_imports():
    assert {module.split(".")[0] for module in MODULES} == set(LAYERS)
    assert "startups.models" in IMPORTS["budgets.models"]  # the walk reads real imports
    assert len(MODULES) > 80


def test_every_import_points_down():
    upwards = [
        f"{module} importe {target}"
        for module, targets in sorted(IMPORTS.items())
        for target in sorted(targets)
        if RANK[target.split(".")[0]] > RANK[module.split(".")[0]]
    ]
    assert not upwards, "Imports à contre-sens des couches :\n" + "\n".join(upwards)


def test_no_two_files_import_each_other_even_through_others():
    graph = defaultdict(set)
    for module, targets in IMPORTS.items():
        for target in targets:
            # `import a.b` runs a's package file too, but only a.b's own code imports back.
            if target in MODULES and target != module:
                graph[module].add(target)
    cycles = []
    state: dict[str, int] = {}  # 1: being walked, 2: done

    def walk(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" → ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                walk(target, [*trail, target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            walk(module, [module])
    assert not cycles, "Cercles d'imports :\n" + "\n".join(cycles)


def test_the_floor_knows_no_domain():
    domain = set(LAYERS) - {"publishing"}
    words = ("startup", "convention", "committee", "comité", "indicator", "tranche")
    for module, path in MODULES.items():
        if module.split(".")[0] != "publishing":
            continue
        assert not {target.split(".")[0] for target in IMPORTS[module]} & domain, module
        code = "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#")
        )
        # Docstrings may give an example; names and logic may not.
        names = {
            node.id if isinstance(node, ast.Name) else node.attr
            for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Name | ast.Attribute)
        }
        assert not [n for n in names if any(w in n.lower() for w in words)], module
