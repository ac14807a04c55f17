"""The README's Screens section and `bench/screenshots.py` stay in step: every screen the script takes is
committed and shown in the README, and the README shows no picture the script no longer makes."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

from tests.browser.conftest import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "bench" / "screenshots.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_readme_shows_every_screen_the_script_takes_and_no_other() -> None:
    taken = {f"{screen.name}.png" for screen in _script().SCREENS}
    shown = set(re.findall(r"!\[[^\]]*\]\(docs/screenshots/([^)]+)\)", (ROOT / "README.md").read_text()))

    assert shown == taken
    assert {path.name for path in (ROOT / "docs" / "screenshots").glob("*.png")} == taken
