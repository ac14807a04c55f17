"""Every page guards itself, and only core/ui talks to Streamlit (Regression guard for deep links)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("*.py"))


def _first_call(tree: ast.Module) -> str | None:
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ):
            continue
        value = node.value if isinstance(node, (ast.Assign, ast.Expr)) else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return value.func.id
        return None
    return None


def test_there_are_pages() -> None:
    assert len(PAGES) >= 6


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_starts_with_the_guard(page: Path) -> None:
    tree = ast.parse(page.read_text())
    assert _first_call(tree) == "page_guard", f"{page.name} must call page_guard() before anything else"


def test_only_core_ui_imports_streamlit() -> None:
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "core").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _ui_sources() -> list[Path]:
    return [*PAGES, *sorted((ROOT / "core" / "ui").glob("*.py"))]


def test_pages_open_no_procore_client_and_check_no_permission_for_a_write() -> None:
    """Services open their own client and check their own permission (issue 16); pages only read
    permissions (`ctx.can`) to disable a button and say why."""
    offenders = []
    for path in _ui_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
            if named in {"open_client", "ProcoreClient", "require"}:
                offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')} {named}")
    assert offenders == []
