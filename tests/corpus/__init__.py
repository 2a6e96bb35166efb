"""Declarative test corpora: data only, run by the tests against every engine (see each file)."""
