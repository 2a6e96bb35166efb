"""The benchmark harness's own logic (bench/harness, bench/maskbench.py), without any peer engine.

Checks percentiles against numpy, the markdown tables, the pass/fail accounting, the results
store's resume rules (settings mismatch, torn last line), the seeded sampling, and the worker
supervision: a fake worker built on the real worker_protocol.py is made to hang, abort and run
out of memory, and the parent must report timeout, crash and oom and carry on with a fresh
worker. Nothing here reads ../shared or needs bench/.venvs.
"""

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# Appended, not prepended: the installed xgrammar must keep winning over the source tree.
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))

from bench.harness import report  # noqa: E402
from bench.harness.engine_process import ENGINES_DIR, EngineProcess  # noqa: E402
from bench.harness.results_store import ResultsStore, SettingsMismatchError  # noqa: E402
from bench.harness.run_loop import BenchItem, record_from_reply, run_benchmark  # noqa: E402
from bench.maskbench import select_schema_files  # noqa: E402


@pytest.mark.parametrize("q", [0, 1, 50, 90, 99, 99.9, 100])
def test_percentile_matches_numpy_linear_interpolation(q):
    values = sorted(np.random.default_rng(7).lognormal(3, 2, size=1013).tolist())
    assert report.percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_percentile_of_nothing_is_nan_and_of_one_value_is_that_value():
    assert np.isnan(report.percentile([], 50))
    assert report.percentile([4.5], 99.9) == 4.5


def make_record(key, status="ok", valid=(1, 1), invalid=(2, 2), token_us=(1.0, 2.0), subset="A"):
    return {
        "key": key,
        "subset": subset,
        "status": status,
        "compile_s": 0.01 if status == "ok" else None,
        "token_us": list(token_us) if status == "ok" else [],
        "valid_total": valid[1],
        "valid_accepted": valid[0],
        "invalid_total": invalid[1],
        "invalid_rejected": invalid[0],
    }


def test_summary_counts_passing_failures_and_wrong_answers():
    records = [
        make_record("a"),
        make_record("b", valid=(0, 2)),  # rejects both valid instances
        make_record("c", invalid=(1, 3)),  # accepts two invalid instances
        make_record("d", status="compile_error"),
        make_record("e", status="timeout"),
        make_record("f", status="crash"),
    ]
    summary = report.summarize(records)
    assert summary["items"] == 6
    assert summary["compiled"] == 3
    assert summary["passing"] == 1
    assert (summary["compile_error"], summary["timeout"], summary["crash"]) == (1, 1, 1)
    assert summary["wrongly_rejected_valid"] == 2
    assert summary["wrongly_accepted_invalid"] == 2
    assert summary["schemas_rejecting_valid"] == 1
    assert summary["schemas_accepting_invalid"] == 1
    assert summary["tokens"] == 6  # only compiled schemas contribute token times
    assert summary["token_max_us"] == 2.0


def test_overall_table_is_a_well_formed_markdown_table():
    summaries = {"x": report.summarize([make_record("a")]), "y": report.summarize([])}
    lines = report.overall_table(summaries, ["x", "y"]).splitlines()
    assert [cell.strip() for cell in lines[0].split("|")[1:-1]] == ["metric", "x", "y"]
    cells_per_line = {line.count("|") for line in lines}
    assert cells_per_line == {4}
    assert set(lines[1].replace("|", "").replace(":", "")) == {"-"}
    assert lines[1].split("|")[2].endswith(":")  # numbers are right-aligned
    passing = next(line for line in lines if line.startswith("| passing"))
    assert [cell.strip() for cell in passing.split("|")[2:4]] == ["1", "0"]
    p50 = next(line for line in lines if line.startswith("| per-token p50"))
    assert [cell.strip() for cell in p50.split("|")[2:4]] == ["1.5", "-"]


def test_subset_table_has_one_row_per_subset_and_engine():
    records = {
        "x": [make_record("a", subset="S1"), make_record("b", subset="S2")],
        "y": [make_record("a", subset="S1", status="timeout")],
    }
    lines = report.subset_table(records, ["x", "y"]).splitlines()
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines[2:]]
    assert [row[:2] for row in rows] == [["S1", "x"], ["S1", "y"], ["S2", "x"], ["S2", "y"]]
    assert rows[1][7] == "1"  # y timed out on S1
    assert rows[3][2] == "0"  # y has no S2 records


def test_store_resumes_and_survives_a_torn_last_line(tmp_path):
    settings = {"tokenizer": "t", "timeout_s": 5}
    store = ResultsStore.open(tmp_path, settings)
    store.append("e", make_record("a"))
    with open(store.path_of("e"), "a") as out:
        out.write('{"key": "b", "stat')  # killed mid-write
    reopened = ResultsStore.open(tmp_path, settings)
    assert reopened.done_keys("e") == {"a"}
    reopened.append("e", make_record("c"))
    assert reopened.done_keys("e") == {"a", "c"}


def test_store_refuses_results_made_with_other_settings(tmp_path):
    ResultsStore.open(tmp_path, {"tokenizer": "t", "timeout_s": 5}).append("e", make_record("a"))
    with pytest.raises(SettingsMismatchError, match="timeout_s"):
        ResultsStore.open(tmp_path, {"tokenizer": "t", "timeout_s": 9})
    fresh = ResultsStore.open(tmp_path, {"tokenizer": "t", "timeout_s": 9}, discard_old=True)
    assert fresh.done_keys("e") == set()


def test_sampling_is_seeded_and_respects_subsets(tmp_path):
    for subset, count in (("A", 30), ("B", 20)):
        (tmp_path / subset).mkdir()
        for index in range(count):
            (tmp_path / subset / f"{index:03}.json").write_text("{}")
    everything = select_schema_files(tmp_path, [], 0, 0)
    assert len(everything) == 50
    first = select_schema_files(tmp_path, [], 10, seed=3)
    assert first == select_schema_files(tmp_path, [], 10, seed=3)
    assert first != select_schema_files(tmp_path, [], 10, seed=4)
    assert len(first) == 10 and set(first) <= set(everything)
    assert set(first) <= set(select_schema_files(tmp_path, [], 25, seed=3))  # samples nest
    only_b = select_schema_files(tmp_path, ["B"], 0, 0)
    assert {subset for subset, _ in only_b} == {"B"} and len(only_b) == 20


def test_record_from_reply_counts_instances():
    item = BenchItem("S/x.json", "S", {"kind": "json_schema", "schema": {}}, [[1], [2]], [[3]])
    reply = {
        "status": "ok",
        "compile_s": 0.5,
        "token_us": [3.0, 4.0],
        "valid": [{"accepted": True, "refused_at": None}, {"accepted": False, "refused_at": 0}],
        "invalid": [{"accepted": True, "refused_at": None}],
    }
    record = record_from_reply(item, reply)
    assert (record["valid_accepted"], record["valid_total"]) == (1, 2)
    assert (record["invalid_rejected"], record["invalid_total"]) == (0, 1)
    timeout = record_from_reply(item, {"status": "timeout", "error": "slow"})
    assert timeout["status"] == "timeout" and timeout["token_us"] == []


# A fake engine on the real worker protocol: the grammar's "kind" says how to misbehave. Its
# language is "documents whose tokens are all even", so feeding and scoring are real too.
FAKE_WORKER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {engines_dir!r})
    from worker_protocol import CompileError, EngineAdapter, serve

    class FakeAdapter(EngineAdapter):
        engine_version = "fake-1"

        def __init__(self, tokenizer_path, vocab_size, stop_token_ids, options):
            self.vocab_size = vocab_size

        def compile(self, grammar):
            kind = grammar["kind"]
            if kind == "hang":
                time.sleep(60)
            if kind == "spin":
                while True:
                    pass
            if kind == "burn":  # 5 ms of CPU, to check compile times are not rounded to ticks
                until = time.thread_time() + 0.005
                while time.thread_time() < until:
                    pass
            if kind == "abort":
                os.abort()
            if kind == "hog":
                return bytearray(1 << 36)
            if kind == "refuse":
                raise CompileError("unsupported")
            if kind == "raise":
                raise ValueError("bad schema")
            return kind

        def new_matcher(self, compiled):
            return []

        def fill(self, matcher, bitmask):
            bitmask[:] = 0x55555555  # even tokens only

        def accept(self, matcher, token_id):
            return token_id % 2 == 0

        def may_end(self, matcher):
            return True

    serve(FakeAdapter)
    """
)


@pytest.fixture
def fake_engine(tmp_path):
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER.format(engines_dir=str(ENGINES_DIR)))
    python_dir = tmp_path / "venvs" / "fake" / "bin"
    python_dir.mkdir(parents=True)
    # A wrapper script, not a symlink: a symlinked interpreter outside its venv would lose the
    # venv's site-packages (and numpy with it).
    wrapper = python_dir / "python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    return {
        "tokenizer_path": str(script),  # unused by the fake adapter
        "vocab_size": 64,
        "stop_token_ids": [0],
        "memory_limit_mb": 256,
        "options": {},
        "log_dir": tmp_path / "logs",
        "venvs_dir": tmp_path / "venvs",
        "worker_script": script,
    }


def run_fake(process, kind, valid=(), invalid=(), timeout_s=20.0):
    request = {
        "op": "run",
        "grammar": {"kind": kind},
        "valid": list(valid),
        "invalid": list(invalid),
    }
    return process.run(request, timeout_s)


def test_worker_measures_and_scores_documents(fake_engine):
    with EngineProcess("fake", **fake_engine) as process:
        reply = run_fake(process, "ok", valid=[[2, 4, 6]], invalid=[[2, 3]])
    assert reply["status"] == "ok"
    assert process.engine_version == "fake-1"
    assert [result["accepted"] for result in reply["valid"]] == [True]
    assert reply["invalid"] == [{"accepted": False, "refused_at": 1}]
    assert len(reply["token_us"]) == 4  # three tokens and the final mask, valid documents only
    assert reply["mask_disagreements"] == 0


def test_short_compiles_are_measured_in_cpu_time(fake_engine):
    with EngineProcess("fake", **fake_engine) as process:
        for _ in range(3):
            reply = run_fake(process, "burn")
            assert reply["status"] == "ok"
            assert 0.004 < reply["compile_s"] < 0.5


def test_cpu_time_limit_stops_a_spinning_compile(fake_engine):
    with EngineProcess("fake", **fake_engine) as process:
        process.wall_backstop_factor = 60  # the kernel's CPU limit must be what stops it
        spin = run_fake(process, "spin", timeout_s=1.0)
        assert spin == {"status": "timeout", "error": "CPU-time limit reached"}
        assert run_fake(process, "ok", valid=[[2]])["status"] == "ok"


def test_wall_clock_deadline_stops_a_sleeping_worker(fake_engine):
    fake_engine["options"] = {"clock": "wall"}
    with EngineProcess("fake", **fake_engine) as process:
        assert run_fake(process, "hang", timeout_s=1.0)["status"] == "timeout"
        assert run_fake(process, "ok", valid=[[2]])["status"] == "ok"


def test_timeout_crash_and_oom_are_reported_and_the_worker_restarts(fake_engine):
    with EngineProcess("fake", **fake_engine) as process:
        process.wall_backstop_factor = 1  # sleeping uses no CPU: only elapsed time stops it
        assert run_fake(process, "hang", timeout_s=1.0)["status"] == "timeout"
        assert run_fake(process, "ok", valid=[[2]])["status"] == "ok"
        crash = run_fake(process, "abort")
        assert crash["status"] == "crash" and "SIGABRT" in crash["error"]
        assert run_fake(process, "hog")["status"] == "oom"
        assert run_fake(process, "refuse")["status"] == "compile_error"
        raised = run_fake(process, "raise")
        assert raised["status"] == "compile_error" and "ValueError" in raised["error"]
        assert run_fake(process, "ok", valid=[[2]])["status"] == "ok"
        assert process.restarts == 3


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_benchmark_skips_what_the_store_already_has(fake_engine, tmp_path, jobs):
    store = ResultsStore.open(tmp_path / "out", {"s": 1})
    items = [BenchItem(f"S/{n}", "S", {"kind": "ok"}, [[2, 4]], [[1]]) for n in range(3)]
    options = {key: value for key, value in fake_engine.items() if key != "worker_script"}
    store.append("fake", record_from_reply(items[0], {"status": "timeout"}))

    def fake_process(engine, **kwargs):
        return EngineProcess(engine, worker_script=fake_engine["worker_script"], **kwargs)

    versions = run_benchmark(
        items, ["fake"], store, options, 20.0, make_process=fake_process, jobs=jobs
    )
    records = {record["key"]: record for record in store.records("fake")}
    assert versions == {"fake": "fake-1"}
    assert records["S/0"]["status"] == "timeout"  # cached, not rerun
    assert records["S/1"]["status"] == records["S/2"]["status"] == "ok"
    assert records["S/2"]["valid_accepted"] == 1 and records["S/2"]["invalid_rejected"] == 1
    assert len(store.records("fake")) == 3
    assert json.loads((tmp_path / "out" / "settings.json").read_text()) == {"s": 1}


def test_tokenizer_setup_finds_stop_tokens_by_name(tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    from bench.harness.tokenizer_setup import TokenizerSetup

    vocab = {"<unk>": 0, "hello": 1, "world": 2}
    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tokenizer.add_special_tokens(["<|eot_id|>", "<|begin_of_text|>", "</s>"])
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    setup = TokenizerSetup.load(path)
    assert setup.vocab_size == 6
    assert setup.stop_token_ids == [3, 5]  # <|eot_id|> and </s>, not <|begin_of_text|>
    assert setup.encode("hello world") == [1, 2]
    assert TokenizerSetup.load(path, [4]).stop_token_ids == [4]
