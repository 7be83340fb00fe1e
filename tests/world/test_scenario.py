"""Scenario files: built-ins load, bad files get one clear error naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from moondust.cli import main
from moondust.errors import InputFileError
from moondust.world.policies import ALLOW_IMPORT_ENV
from moondust.world.scenario import builtin_scenarios, load_scenario

GOOD = """
name = "test"
[simulation]
runs = 10
seed = 3
end = 2060
[parameters]
spillover_max = 0.7
[policies]
default = "status-quo"
blocs = { artemis = "cutthroat", ilrs = "emulation" }
actors = { IND = { preset = "emulation", openness = 0.6 } }
[actors.CHN]
civil_usd_bn = 20.0
[relations]
remove_sanctions = [["USA", "CHN"]]
rivalry = [["USA", "CHN", 0.5]]
[uncertainties]
crowd_out = { dist = "triangular", low = 0.0, mode = 0.5, high = 1.0 }
"""


def test_builtins_exist_and_validate() -> None:
    assert {"baseline", "cutthroat", "emulation", "asymmetric"} <= set(builtin_scenarios())
    for name in builtin_scenarios():
        scenario = load_scenario(name)
        assert scenario.name == name and scenario.description


def test_a_full_file_validates(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    scenario = load_scenario(path)
    assert scenario.simulation.runs == 10
    assert scenario.engine_parameters.spillover_max == 0.7
    assert scenario.policies.actors["IND"].lever_overrides == {"openness": 0.6}
    assert scenario.digest() == load_scenario(path).digest()


@pytest.mark.parametrize(
    ("content", "field", "expected"),
    [
        ('[simulation]\nruns = "many"', "simulation.runs", "integer"),
        ("[actors.XYZ]\ncivil_usd_bn = 1.0", "actors", "unknown actor"),
        ("[actors.USA]\ncivil_usd_bn = -5.0", "actors.USA.civil_usd_bn", "greater than or equal"),
        ('[policies]\ndefault = "anarchy"', "policies.default", "unknown policy"),
        (
            '[policies.actors]\nUSA = { preset = "cutthroat", bravery = 1 }',
            "policies.actors",
            "unknown lever",
        ),
        ("[parameters]\nwarp_factor = 9", "parameters", "unknown parameter"),
        ("[parameters]\ncrowd_out = 3", "parameters", "crowd_out"),
        ("[simulation]\nend = 2020", "simulation", "end must be after start"),
        (
            '[uncertainties]\ncrowd_out = { dist = "uniform", low = 1 }',
            "uncertainties.crowd_out",
            "needs low, high",
        ),
        ('[relations]\nadd_sanctions = [["USA", "MARS"]]', "relations", "unknown actor"),
        (  # a normal this narrow is its mean to rounding (the fuzz suite found 5e-324)
            '[uncertainties]\ncrowd_out = { dist = "normal", mean = 0.0, sd = 5e-324 }',
            "uncertainties.crowd_out",
            "sd must be at least",
        ),
        ("[simulation]\nrunz = 5", "simulation.runz", "unknown field"),
        ("this is = not toml [", "", "not valid TOML"),
    ],
)
def test_bad_files_name_the_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, field: str, expected: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(InputFileError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path)) and field in message and expected in message
    # the CLI shows the same message on one line, exit code 2
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("moondust: error: ") and err.count("\n") == 1 and field in err


def test_missing_file_lists_the_builtins() -> None:
    with pytest.raises(InputFileError, match="built-ins: asymmetric, baseline"):
        load_scenario("no-such-scenario")


USER_POLICY = "tests.world.test_policies:Hermit"


@pytest.mark.parametrize(
    "content",
    [
        f'[policies]\ndefault = "{USER_POLICY}"',
        f'[policies.blocs]\nilrs = {{ preset = "{USER_POLICY}", openness = 0.5 }}',
        f'[levers.artemis]\npreset = ["cutthroat", "{USER_POLICY}"]',
    ],
)
def test_policies_naming_code_need_allow_import(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: str,
) -> None:
    """`validate` and `run` refuse a module:Class policy unless --allow-import is given."""
    monkeypatch.setenv(ALLOW_IMPORT_ENV, "0")  # restored (unset) after the test
    path = tmp_path / "user.toml"
    path.write_text(content)
    with pytest.raises(InputFileError, match="--allow-import"):
        load_scenario(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("moondust: error: ") and "--allow-import" in err
    assert main(["validate", str(path), "--allow-import"]) == 0
    # untrusted input (the explorer) is refused even in a process that allows imports
    assert load_scenario(path, allow_import=True).name == "user"
    with pytest.raises(InputFileError, match="--allow-import"):
        load_scenario(path, allow_import=False)
