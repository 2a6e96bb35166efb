"""Replays the saved fuzz inputs (tests/fuzz/regressions/<target>/*) through their targets,
plus a short deterministic random run of each target, so that every crash a fuzzer found
stays fixed and the targets themselves keep working without atheris."""

import random
from pathlib import Path

import pytest

import xgrammar
from fuzz.targets import FUZZ_LIMITS, TARGETS

REGRESSIONS = Path(__file__).parent / "regressions"
SAVED = sorted(
    (target, path)
    for target in TARGETS
    for path in sorted((REGRESSIONS / target).glob("*"))
    if path.is_file()
)


@pytest.fixture(autouse=True)
def fuzz_limits():
    previous = xgrammar.get_limits()
    xgrammar.set_limits(**FUZZ_LIMITS)
    yield
    xgrammar.set_limits(**previous)


@pytest.mark.parametrize(
    "target,path", SAVED, ids=[f"{target}/{path.name}" for target, path in SAVED]
)
def test_saved_input_does_not_crash(target, path):
    TARGETS[target](path.read_bytes())


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_random_inputs_smoke(target):
    rng = random.Random(f"xgrammar-fuzz-{target}")
    alphabet = b'root::=|()[]^-*+?{},0123456789"\\ab\n #=\xc3\xa9\xff'
    for _ in range(150):
        length = rng.randrange(0, 120)
        TARGETS[target](bytes(rng.choice(alphabet) for _ in range(length)))
