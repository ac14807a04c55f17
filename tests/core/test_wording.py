"""People's words: "Procore" is capitalised in every text the app shows."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from core.ui.widgets import column_labels

ROOT = Path(__file__).resolve().parents[2]
# "procore" as a word of a sentence: not part of a name, a path, a URL or an option (procore_id, /procore, keep-procore)
LOWER = re.compile(r"(?<![\w./-])procore(?![\w./-])")
MATCHED_LOWER_CASE = {"core/dashboards/fixes.py"}  # phrases looked for in lower-cased reasons, never shown


def _texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string literal but docstrings (and bare names such as the column key "procore")."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                and node.value != "procore"):
            yield node.lineno, node.value


def test_no_text_the_app_shows_writes_procore_in_lower_case() -> None:
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "core").rglob("*.py")]
    found = [f"{path.relative_to(ROOT)}:{line}: {text!r}" for path in files
             if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in MATCHED_LOWER_CASE
             for line, text in _texts(ast.parse(path.read_text())) if LOWER.search(text)]
    assert found == []


def test_column_labels_capitalise_procore() -> None:
    frame = pd.DataFrame(columns=["entry", "in_procore_now", "procore_id"])
    assert column_labels(frame) == {"entry": "Entry", "in_procore_now": "In Procore now", "procore_id": "Procore id"}
