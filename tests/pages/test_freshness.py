"""Pages never show stale data: the only answers kept between runs are the ones `core.ui.freshness` clears.

Regression guard for issue 19 (stale totals after an edit): a new `st.cache_resource` holding data, or a
`st.cache_data` without a time limit, would survive writes; this scan makes adding one a decision.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "core" / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"])


def _cached(kind: str) -> dict[str, ast.FunctionDef]:
    """Functions decorated with `st.<kind>` (called or not), as "path:function"."""
    found: dict[str, ast.FunctionDef] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr == kind:
                    found[f"{path.relative_to(ROOT)}:{node.name}"] = node
    return found


def test_cached_resources_hold_only_the_engine() -> None:
    resources = _cached("cache_resource")
    assert {name: ast.unparse(node.returns) for name, node in resources.items() if node.returns} == {
        "core/ui/guard.py:_database": "Engine"}


def test_cached_data_is_short_lived_and_cleared_after_writes() -> None:
    data = _cached("cache_data")
    assert set(data) == {"core/ui/procore_lookups.py:_companies"}
    for node in data.values():
        (decorator,) = node.decorator_list
        assert isinstance(decorator, ast.Call)
        assert "ttl" in {keyword.arg for keyword in decorator.keywords}
    freshness = (ROOT / "core/ui/freshness.py").read_text()
    assert "st.cache_data.clear()" in freshness  # every cache_data, this one and any added later

