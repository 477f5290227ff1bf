"""The protocol package never imports Home Assistant (it is meant to become a library)."""

import ast
from pathlib import Path

from custom_components.face_terminal import protocol

PACKAGE = Path(protocol.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_homeassistant_import() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert files
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            module for module in imported_modules(path) if module.split(".")[0] == "homeassistant"
        )
        for path in files
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def optional_imports(path: Path) -> set[str]:
    """Modules imported inside ``try: ... except ImportError:`` (used only when present)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(handler.type, ast.Name) and handler.type.id == "ImportError"
            for handler in node.handlers
        ):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    modules.add(statement.module)
                elif isinstance(statement, ast.Import):
                    modules.update(alias.name for alias in statement.names)
    return modules


# Accelerators the package uses when the host has them (Home Assistant ships orjson).
OPTIONAL_ACCELERATORS = {"orjson"}


def test_stdlib_only() -> None:
    allowed_roots = {"__future__", "custom_components"}
    import sys

    for path in sorted(PACKAGE.rglob("*.py")):
        optional = optional_imports(path) & OPTIONAL_ACCELERATORS
        for module in imported_modules(path) - optional:
            root = module.split(".")[0]
            assert root in sys.stdlib_module_names or root in allowed_roots, (path.name, module)


def test_an_unguarded_accelerator_is_not_stdlib(tmp_path: Path) -> None:
    guarded = tmp_path / "guarded.py"
    guarded.write_text("try:\n    import orjson\nexcept ImportError:\n    orjson = None\n")
    unguarded = tmp_path / "unguarded.py"
    unguarded.write_text("import orjson\n")
    assert optional_imports(guarded) == {"orjson"}
    assert optional_imports(unguarded) == set()


def test_scanner_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import homeassistant.core\nfrom homeassistant.const import X\n")
    assert imported_modules(sample) == {"homeassistant.core", "homeassistant.const"}
