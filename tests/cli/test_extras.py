"""A command that needs an optional extra says which, with the install command, in one line and
exit code 2; the extras named in the code exist in pyproject.toml and the README lists them."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from moondust.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "module", "extra"),
    [
        (["sensitivity", "baseline"], "SALib", "analysis"),
        (["discover", "no-such-sweep", "--outcome", "x"], "ema_workbench", "analysis"),
        (["dashboard"], "solara", "dashboard"),
    ],
)
def test_missing_extra_is_one_line_with_the_install_command(
    args: list[str],
    module: str,
    extra: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"pip install 'moondust[{extra}]'" in err and module in err


def _extras_named_in_code() -> set[str]:
    pattern = re.compile(r"(?:require_extra|missing_extra)\(\s*\"([a-z]+)\"")
    return {
        name
        for path in (ROOT / "moondust").rglob("*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


def test_extras_named_in_code_exist_and_the_readme_lists_every_extra() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = set(pyproject["project"]["optional-dependencies"])
    named = _extras_named_in_code()
    assert {"analysis", "dashboard", "geotiff"} <= named <= extras
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z]+)` \|", readme, flags=re.MULTILINE))
    assert listed == extras
