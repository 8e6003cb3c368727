"""The package's shape (DESIGN.md): Telegram at the edge, imports pointing down."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nudgebot"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _is_edge(path: Path) -> bool:
    """A feature's handlers (and the one view that still builds Telegram keyboards)."""
    return (
        "handlers" in path.parts
        or path.stem == "handlers"
        or path == (PACKAGE / "features" / "subscribers" / "views.py")
    )


def test_the_platform_imports_neither_telegram_nor_features_nor_the_bot() -> None:
    for path in _modules("platform"):
        bad = {
            name
            for name in _imports(path)
            if name.split(".")[0] == "telegram"
            or name.startswith(("nudgebot.features", "nudgebot.bot"))
        }
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_services_repositories_rules_and_views_of_features_never_import_telegram() -> None:
    for path in _modules("features"):
        if _is_edge(path):
            continue
        bad = {
            name
            for name in _imports(path)
            if name.split(".")[0] == "telegram" or name.startswith("nudgebot.bot")
        }
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


# The message router's handler is the one crossing point: it dispatches each verdict (a meal, a
# command in words, a typed answer) to the feature that owns it.
DISPATCHER = PACKAGE / "features" / "understanding" / "handlers.py"


def test_no_feature_imports_another_features_handlers() -> None:
    for path in _modules("features"):
        if path == DISPATCHER:
            continue
        feature = path.relative_to(PACKAGE / "features").parts[0]
        for name in _imports(path):
            parts = name.split(".")
            if parts[:2] == ["nudgebot", "features"] and len(parts) > 3:
                other, module = parts[2], parts[3]
                assert other == feature or module != "handlers", (
                    f"{path.relative_to(PACKAGE)} imports {name}"
                )


def test_the_layer_packages_are_gone() -> None:
    for old in ("handlers", "services", "store", "domain"):
        assert not (PACKAGE / old).exists(), f"nudgebot/{old}/ is back: put it in a feature"


def test_every_feature_registers_its_handlers() -> None:
    for feature in sorted(p for p in (PACKAGE / "features").iterdir() if p.is_dir()):
        handlers = feature / "handlers.py"
        if not handlers.exists():
            handlers = feature / "handlers" / "__init__.py"
        if not handlers.exists():
            continue
        tree = ast.parse(handlers.read_text())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert "register" in names, f"features/{feature.name}: no register(app)"
