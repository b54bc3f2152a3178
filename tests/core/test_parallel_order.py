"""How many test processes, and the order they take tests in
(tests/support/parallel.py)."""

from pathlib import Path

from tests.core.test_api_schema import RUNS
from tests.support.parallel import CONTRACT, LONGEST, PROCESSES_PER_CPU, spread

ROOT = Path(__file__).resolve().parents[2]


def test_waiting_tests_are_spread_through_the_first_part_of_the_short_ones():
    short = [f"s{i}" for i in range(100)]
    waiting = ["w0", "w1", "w2", "w3"]
    merged = spread(waiting, short, share=0.8)
    assert sorted(merged) == sorted(short + waiting)
    assert [item for item in merged if item.startswith("s")] == short
    positions = [merged.index(item) for item in waiting]
    assert positions == [0, 21, 42, 63]
    assert merged[-20:] == short[-20:]


def test_nothing_to_spread_or_nothing_to_spread_over():
    assert spread([], ["s0", "s1"]) == ["s0", "s1"]
    assert spread(["w0", "w1"], []) == ["w0", "w1"]


def test_every_contract_run_is_among_the_longest():
    listed = {prefix for prefix in LONGEST if prefix.startswith(CONTRACT)}
    assert listed == {f"{CONTRACT}[{run}]" for run in RUNS}


def test_the_readmes_say_how_many_processes_per_cpu():
    said = {1: "one", 2: "two", 3: "three", 4: "four"}[PROCESSES_PER_CPU]
    assert f"{said} test processes per CPU" in (ROOT / "README.md").read_text()
    assert f"{said} processes per CPU" in (ROOT / "tests" / "README.md").read_text()
