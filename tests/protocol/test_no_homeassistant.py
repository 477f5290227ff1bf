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


def test_stdlib_only() -> None:
    allowed_roots = {"__future__", "custom_components"}
    import sys

    for path in sorted(PACKAGE.rglob("*.py")):
        for module in imported_modules(path):
            root = module.split(".")[0]
            assert root in sys.stdlib_module_names or root in allowed_roots, (path.name, module)


def test_scanner_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import homeassistant.core\nfrom homeassistant.const import X\n")
    assert imported_modules(sample) == {"homeassistant.core", "homeassistant.const"}
