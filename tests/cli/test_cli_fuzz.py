"""Fuzzing the command line: every argument list ends in a clear error or in sound results.

Hypothesis generates argument lists for ``run``, ``validate``, ``compare``, ``sweep``, ``map``,
``probe``, ``sites`` and ``params`` (huge and negative integers, NaN and infinity, unknown options
and names, unicode) and scenario files, and calls :func:`moondust.cli.main` in this process. Each
call must either fail cleanly (exit code 2, one line on stderr starting ``moondust: error:``, no
traceback, bounded length) or succeed with output whose numbers are finite and inside their
documented bounds. ``validate`` and ``run`` must accept exactly the same files.

Runs are cheap: scenario spans of a few years, at most two runs, and the figure-drawing and
storage steps (the run report, the map image and the dataset's files, covered by their own tests)
replaced by stubs. Under ``CI=true`` the
examples are derandomized; ``MOONDUST_FUZZ_SCALE`` multiplies their number locally.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moondust.cli import _print_json, main
from moondust.limits import MAX_RUNS, MAX_SEED, MESSAGE_MAX_CHARS
from moondust.world.ids import BASE_YEAR
from tests.fuzzing import (
    PARAMETERS,
    TEXT,
    fuzz_settings,
    mutated_scenario_dict,
    scenario_dict,
)

TALLY: Counter[str] = Counter()
"""Outcomes of this module's cases: printed at the end (``pytest -s``) for docs/reliability."""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Scenario files and an output folder; the figure and storage steps stubbed (seconds per
    call; their own tests cover them)."""
    folder = tmp_path_factory.mktemp("cli-fuzz")
    (folder / "short.toml").write_text("[simulation]\nend = 2028\nruns = 2\n")
    (folder / "uncertain.toml").write_text(
        "[simulation]\nend = 2027\nruns = 2\n[uncertainties]\n"
        'counterspace_depreciation = { dist = "normal", mean = 0.1, sd = 1.0 }\n'
        'crowd_out = { dist = "uniform", low = 0.0, high = 1.0 }\n'
    )
    (folder / "bad.toml").write_text("[actors.CHN]\ncivil_usd_bn = inf\n")
    (folder / "deep.toml").write_text("x = " + "[" * 2000 + "]" * 2000 + "\n")
    (folder / "out").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "moondust.report.run_report.write_report", lambda results, directory, chance=None: {}
        )
        patch.setattr(  # writing the dataset: about a second a call, tested with the store
            "moondust.results.Results.save", lambda self, directory: {"dataset": Path(directory)}
        )
        patch.setattr("moondust.report.moon_map.save_he3_map", lambda moon, path: Path(path))
        yield folder
    print(f"\nCLI fuzz: {dict(sorted(TALLY.items()))}")


def call(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in this process; an exception escaping ``main`` is a traceback (a failure)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except BaseException:
            TALLY["traceback"] += 1
            raise
    return code, out.getvalue(), err.getvalue()


def _refuse_constant(name: str) -> Any:
    raise AssertionError(f"JSON output holds {name}")


def assert_sound(data: Any, key: str = "") -> None:
    """Numbers in JSON output are finite and inside their documented bounds."""
    if isinstance(data, dict):
        for name, value in data.items():
            assert_sound(value, str(name))
    elif isinstance(data, list):
        for value in data:
            assert_sound(value, key)
    elif isinstance(data, int | float) and not isinstance(data, bool):
        assert math.isfinite(data), key
        if key.startswith("p_") or key in ("share", "mare_fraction"):
            assert 0 <= data <= 1, (key, data)
        if key.endswith("_year") and key != "start":
            assert 1950 <= data <= 2300, (key, data)
        if key.endswith(("_kg", "_ppb", "_km2")) or "_cum_" in key:
            assert data >= 0, (key, data)


def assert_outcome(argv: list[str], code: int, out: str, err: str) -> None:
    """A clean error (exit 2, one bounded line) or success with sound output."""
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("moondust: error: "), err
        assert len(lines[0]) <= MESSAGE_MAX_CHARS + len("moondust: error: "), len(lines[0])
        TALLY["clean error"] += 1
        return
    assert code == 0, (argv, code, err)
    if "json" in argv:
        assert_sound(json.loads(out, parse_constant=_refuse_constant))
    TALLY["success, sound output"] += 1


def test_json_output_writes_nan_and_infinity_as_null(capsys: pytest.CaptureFixture[str]) -> None:
    _print_json({"a": [1.5, float("nan")], "b": np.float32("inf"), "c": np.int64(3)})
    assert json.loads(capsys.readouterr().out) == {"a": [1.5, None], "b": None, "c": 3}


# --- argument strategies ------------------------------------------------------------------------

INTS = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([MAX_RUNS, MAX_RUNS + 1, MAX_SEED, MAX_SEED + 1, 2**64, 10**30]),
    st.integers(),
).map(str)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "0", "-0", "0.01", "0.05", "", "x", "1e-320"]),
)
COARSE = st.sampled_from(["5", "10", "30", "45", "90", "0", "-1", "nan", "inf", "0.01", "7", "x"])
FORMAT = st.sampled_from(["table", "json", "xml"])


def option(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """``[name, value]`` or nothing."""
    return st.one_of(st.just([]), values.map(lambda value: [name, value]))


def param_values() -> st.SearchStrategy[list[str]]:
    names = st.one_of(st.sampled_from(PARAMETERS), TEXT)
    assignment = st.tuples(names, FLOATS).map(lambda pair: f"{pair[0]}={pair[1]}")
    return st.one_of(st.just([]), assignment.map(lambda text: ["--param", text]))


@st.composite
def moon_argv(draw: st.DrawFn, folder: Path) -> list[str]:
    """``map``, ``probe``, ``sites`` or ``params`` with anything as arguments."""
    command = draw(st.sampled_from(["map", "probe", "sites", "params"]))
    argv = [command]
    if command == "params":
        argv.append(draw(st.one_of(st.sampled_from(["moon", "engine"]), TEXT)))
    elif command == "probe":
        argv += [draw(FLOATS), draw(FLOATS)]
    if command == "sites":
        argv += draw(option("--top", INTS)) + draw(option("--min-ppb", FLOATS))
    if command in ("map", "probe", "sites"):
        argv += ["--resolution", draw(COARSE)]  # 1° and finer: seconds each, tested elsewhere
        argv += draw(param_values())
        argv += draw(option("--tio2", st.sampled_from([str(folder / "bad.toml"), "none.npy"])))
    if command == "map":
        argv += ["--out", str(folder / "out" / "map.png")]
    argv += draw(option("--format", FORMAT))
    argv += draw(st.one_of(st.just([]), st.sampled_from([["--bogus"], ["-z", "1"], ["--"]])))
    return argv


SMALL_RUNS = st.one_of(
    st.sampled_from(["1", "2"]),
    st.sampled_from(["0", "-1", str(MAX_RUNS + 1), str(2**63), "two", "1e3"]),
)


@st.composite
def race_argv(draw: st.DrawFn, folder: Path) -> list[str]:
    """``run``, ``compare``, ``sweep`` or ``validate`` on cheap, bad or missing scenarios."""
    files = [folder / name for name in ("short.toml", "uncertain.toml", "bad.toml", "deep.toml")]
    scenario = st.one_of(st.sampled_from([str(f) for f in files]), st.just("nonexistent.toml"))
    command = draw(st.sampled_from(["run", "compare", "sweep", "validate"]))
    argv = [command, draw(scenario)]
    if command == "compare":
        argv.append(draw(scenario))
    if command == "validate":
        return argv + draw(st.one_of(st.just([]), st.just(["--bogus"])))
    argv += ["--runs", draw(SMALL_RUNS)]  # never the scenario's default: keep every run cheap
    argv += draw(option("--seed", INTS))
    if command == "run":
        first = st.one_of(INTS, st.sampled_from([str(MAX_SEED - 1), str(MAX_SEED)]))
        argv += draw(option("--first-run", first))
    if command in ("run", "sweep"):
        argv += draw(param_values())
        argv += ["--out", str(folder / "out" / f"{command}-{draw(st.integers(0, 3))}")]
    if command == "sweep":
        argv += ["--executor", "inline"]
    argv += draw(option("--format", FORMAT))
    return argv


# --- the fuzz tests -----------------------------------------------------------------------------


@fuzz_settings(250)
@given(data=st.data())
def test_moon_commands_fail_cleanly_or_give_sound_output(workdir: Path, data: st.DataObject):
    argv = data.draw(moon_argv(workdir))
    assert_outcome(argv, *call(argv))


@fuzz_settings(60)
@given(data=st.data())
def test_race_commands_fail_cleanly_or_give_sound_output(workdir: Path, data: st.DataObject):
    argv = data.draw(race_argv(workdir))
    assert_outcome(argv, *call(argv))


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--first-run", str(MAX_SEED - 1), "-n", "2"], 0),  # the last index is 2^63 − 1
        (["--first-run", str(MAX_SEED), "-n", "2"], 2),
        (["--first-run", str(MAX_SEED + 1), "-n", "1"], 2),
        (["--seed", str(MAX_SEED + 1)], 2),
        (["-n", str(MAX_RUNS + 1)], 2),
    ],
)
def test_run_indices_and_seeds_stay_below_2_63(workdir: Path, extra: list[str], code: int) -> None:
    argv = ["run", str(workdir / "short.toml"), "--out", str(workdir / "out" / "edge"), *extra]
    result = call(argv)
    assert_outcome(argv, *result)
    assert result[0] == code


def toml_value(value: Any) -> str:
    """A TOML literal of a generated value (inline tables and arrays; floats as Python writes
    them, which TOML reads back, NaN and infinity included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, dict):
        return (
            "{ "
            + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items())
            + " }"
        )
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


@fuzz_settings(50)
@given(data=st.data())
def test_validate_and_run_accept_the_same_files(workdir: Path, data: st.DataObject) -> None:
    """``moondust validate FILE`` succeeds exactly when ``moondust run FILE`` does."""
    scenario = data.draw(st.one_of(mutated_scenario_dict(), scenario_dict()))
    if isinstance(scenario.get("simulation", {}), dict):  # a short span keeps the run cheap
        scenario.setdefault("simulation", {})["end"] = BASE_YEAR + 3
    path = workdir / "generated.toml"
    path.write_text("\n".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in scenario.items()))
    validated = call(["validate", str(path)])
    assert_outcome(["validate"], *validated)
    argv = ["run", str(path), "-n", "2", "--format", "json", "--out", str(workdir / "out" / "g")]
    ran = call(argv)
    assert_outcome(argv, *ran)
    assert validated[0] == ran[0], (validated[2], ran[2])
    TALLY["validate and run agree"] += 1
