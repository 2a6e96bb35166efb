"""Runs every case of the hostile-input corpus (tests/hostile/cases.py): each must raise its
typed error or give the checked result; none may crash or hang."""

import pytest

from hostile.cases import ALL_CASES, HostileCase, shared_environment


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.name for case in ALL_CASES])
def test_hostile_case(case: HostileCase):
    env = shared_environment()
    if case.raises is not None:
        with pytest.raises(case.raises):
            case.run(env)
        return
    result = case.run(env)
    assert case.check is not None, f"case {case.name} names neither an error nor a check"
    assert case.check(result), f"case {case.name} gave {result!r}"
