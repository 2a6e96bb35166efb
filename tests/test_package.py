"""The installed package: the extension loads and the exception hierarchy is the documented one."""

import xgrammar
from xgrammar import exceptions


def test_extension_loads_and_reports_version():
    assert xgrammar.__version__.startswith("0.2.8")


def test_every_error_is_an_xgrammar_error_and_a_runtime_error():
    for name in exceptions.__all__:
        cls = getattr(xgrammar, name)
        assert issubclass(cls, exceptions.XGrammarError)
        assert issubclass(cls, RuntimeError)


def test_errors_carry_their_location():
    error = exceptions.GrammarSyntaxError("3:7: boom", message="boom", line=3, column=7)
    assert (error.line, error.column, error.message) == (3, 7, "boom")
    assert str(error) == "3:7: boom"
