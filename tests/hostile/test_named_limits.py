"""Every named limit of xgrammar.config is enforced: lowered below what an input needs, the
input raises LimitExceededError naming the limit; at the default the same input works."""

import pytest

import xgrammar as xgr
from xgrammar.exceptions import LimitExceededError
from xgrammar.testing import _get_matcher_from_grammar


def _compile(ebnf):
    return _get_matcher_from_grammar(ebnf)


def _distinct_literals(count):
    return " | ".join(f'"w{i}"' for i in range(count))


# limit -> (a value too small for the input, the input as a callable)
LIMIT_CASES = {
    "max_nesting_depth": (10, lambda: _compile("root ::= " + "(" * 20 + '"a"' + ")" * 20)),
    "max_grammar_size": (50, lambda: xgr.Grammar.from_ebnf("root ::= " + _distinct_literals(60))),
    "max_repetition_bound": (10, lambda: _compile('root ::= "a"{0,11}')),
    "max_automaton_states": (30, lambda: _compile('root ::= "' + "x" * 40 + '"')),
    "max_vocab_size": (5, lambda: xgr.TokenizerInfo([chr(97 + i) for i in range(6)])),
}


@pytest.fixture
def restore_limits():
    previous = xgr.get_limits()
    yield
    xgr.set_limits(**previous)


@pytest.mark.parametrize("name", sorted(LIMIT_CASES))
def test_limit_is_enforced_with_a_typed_error(name, restore_limits):
    small, run = LIMIT_CASES[name]
    run()  # fine at the default
    xgr.set_limits(**{name: small})
    with pytest.raises(LimitExceededError) as caught:
        run()
    assert name in str(caught.value)


def test_every_limit_is_covered_and_documented():
    import xgrammar.config

    names = set(xgr.get_limits())
    # max_recursion_depth is upstream's setting: the Earley matcher has no stack to bound.
    assert names - {"max_recursion_depth"} == set(LIMIT_CASES)
    for name in names:
        assert f"``{name}``" in xgrammar.config.__doc__


def test_max_recursion_depth_context_manager_restores(restore_limits):
    before = xgr.get_max_recursion_depth()
    with xgr.max_recursion_depth(123):
        assert xgr.get_max_recursion_depth() == 123
    assert xgr.get_max_recursion_depth() == before


@pytest.mark.parametrize("value", [0, -5, 1.5, "10"])
def test_bad_limit_values_are_rejected(value, restore_limits):
    with pytest.raises(xgr.InvalidArgumentError):
        xgr.set_limits(max_nesting_depth=value)
