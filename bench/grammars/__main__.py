"""EBNF side-by-side benchmark: compile time and per-token mask time on grammars of real shape.

Entry point: ``python -m bench.grammars --tokenizer TOKENIZER_JSON [options]`` (see ``--help``
and bench/README.md). The corpus is ``bench/grammars/corpus/``: each ``NAME.ebnf`` is a grammar in
the GBNF-compatible dialect of DESIGN.md (root rule ``root``) and ``NAME.json`` beside it holds
``{"description", "documents": [text, ...]}``, real documents of the language. The builtin JSON
grammar runs too, on the documents of ``builtin_json.json``.

Each engine (ours, upstream xgrammar 0.2.8, llguidance -- outlines has no context-free grammars)
compiles every grammar in its own worker and is fed every document token by token, exactly as in
the MaskBench runner (same workers, same cache, same timeouts). llguidance reads the grammar
through its own GBNF converter; ours and upstream read it as is. The report, ``OUT/table.md``,
has an overall table, a per-grammar table and, when ``ours`` ran, the issue-4 targets checked
against the peers; ``OUT/token_time_cdf.png`` is the per-token CDF.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import platform
import shlex
import sys
from collections import defaultdict
from pathlib import Path

from bench.harness import report
from bench.harness.engine_process import DEFAULT_VENVS_DIR, parse_engine_list
from bench.harness.plots import write_cdf_plot
from bench.harness.results_store import ResultsStore
from bench.harness.run_loop import BenchItem, run_benchmark
from bench.harness.tokenizer_setup import TokenizerSetup

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
BUILTIN_JSON = "builtin_json"
DEFAULT_ENGINES = "ours,upstream,llguidance"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.grammars", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--tokenizer", type=Path, required=True, help="a HF tokenizer.json")
    parser.add_argument("--engines", default=DEFAULT_ENGINES, help="comma-separated engines")
    parser.add_argument("--grammars", default="", help="comma-separated names (default: all)")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="folder of grammars")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per grammar")
    parser.add_argument("--memory-limit", type=int, default=4096, help="MiB (0: none)")
    parser.add_argument("--stop-tokens", default="", help="comma-separated stop token ids")
    parser.add_argument("--out", type=Path, default=Path("bench/results/grammars"))
    parser.add_argument("--fresh", action="store_true", help="discard cached results in --out")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report only")
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="cpu: the worker's CPU time, immune to descheduling on a shared machine (default); "
        "wall: elapsed time",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="parallel lanes (default 1); only with that many idle cores, or timings suffer",
    )
    parser.add_argument("--venvs", type=Path, default=DEFAULT_VENVS_DIR)
    return parser.parse_args(argv)


def load_corpus(corpus: Path, names, tokenizer: TokenizerSetup) -> list:
    """BenchItems for the builtin JSON grammar and every NAME.ebnf with its documents."""
    items = []
    for documents_path in sorted(corpus.glob("*.json")):
        name = documents_path.stem
        if names and name not in names:
            continue
        documents = json.loads(documents_path.read_text(encoding="utf-8"))["documents"]
        if name == BUILTIN_JSON:
            grammar = {"kind": "builtin_json"}
        else:
            grammar = {"kind": "ebnf", "text": (corpus / f"{name}.ebnf").read_text("utf-8")}
        valid = [tokenizer.encode(document) for document in documents]
        # The key carries a digest of the grammar and documents, so editing either reruns it.
        digest = hashlib.sha256(json.dumps([grammar, documents]).encode()).hexdigest()[:12]
        items.append(BenchItem(key=f"{name}#{digest}", subset=name, grammar=grammar, valid=valid))
    if names:
        missing = set(names) - {item.subset for item in items}
        if missing:
            raise SystemExit(f"no such grammars in {corpus}: {sorted(missing)}")
    return items


def per_grammar_table(records_by_engine: dict, engines) -> str:
    header = ["grammar", "engine", "compile ms", "tokens", "p50 µs", "p99 µs", "max µs", "docs ok"]
    by_key = defaultdict(dict)
    for engine in engines:
        for record in records_by_engine[engine]:
            by_key[record["subset"]][engine] = record
    rows = []
    for key in sorted(by_key, key=lambda name: (name != BUILTIN_JSON, name)):
        for engine in engines:
            record = by_key[key].get(engine)
            if record is None:
                continue
            if record["status"] != "ok":
                rows.append([key, engine, record["status"], "-", "-", "-", "-", "-"])
                continue
            summary = report.summarize([record])
            rows.append(
                [
                    key,
                    engine,
                    report.format_number(record["compile_s"] * 1e3, 2),
                    report.format_number(summary["tokens"]),
                    report.format_number(summary["token_p50_us"], 1),
                    report.format_number(summary["token_p99_us"], 1),
                    report.format_number(summary["token_max_us"], 1),
                    report.fraction(record["valid_accepted"], record["valid_total"]),
                ]
            )
    return report.markdown_table(header, rows, align_left_columns=2)


def overall_table(records_by_engine: dict, engines) -> str:
    header = ["metric"] + list(engines)
    summaries = {engine: report.summarize(records_by_engine[engine]) for engine in engines}
    ebnf_only = {
        engine: report.summarize(
            [r for r in records_by_engine[engine] if r["subset"] != BUILTIN_JSON]
        )
        for engine in engines
    }
    builtin = {
        engine: next((r for r in records_by_engine[engine] if r["subset"] == BUILTIN_JSON), None)
        for engine in engines
    }

    def builtin_compile(engine):
        record = builtin[engine]
        if record is None or record["status"] != "ok":
            return record["status"] if record else "-"
        return report.format_number(record["compile_s"] * 1e3, 2)

    rows = [
        ["grammars", *(report.format_number(summaries[e]["items"]) for e in engines)],
        ["compiled", *(report.format_number(summaries[e]["compiled"]) for e in engines)],
        ["compile errors", *(report.format_number(summaries[e]["compile_error"]) for e in engines)],
        [
            "crashes / oom / timeouts",
            *(
                f"{summaries[e]['crash']} / {summaries[e]['oom']} / {summaries[e]['timeout']}"
                for e in engines
            ),
        ],
        [
            "documents accepted",
            *(
                report.fraction(summaries[e]["valid_accepted"], summaries[e]["valid_total"])
                for e in engines
            ),
        ],
        ["tokens measured", *(report.format_number(summaries[e]["tokens"]) for e in engines)],
    ]
    for label, key in (
        ("per-token p50 (µs)", "token_p50_us"),
        ("per-token p90 (µs)", "token_p90_us"),
        ("per-token p99 (µs)", "token_p99_us"),
        ("per-token p99.9 (µs)", "token_p99.9_us"),
        ("per-token max (µs)", "token_max_us"),
    ):
        rows.append([label, *(report.format_number(summaries[e][key], 1) for e in engines)])
    rows.append(["builtin JSON compile (ms)", *(builtin_compile(e) for e in engines)])
    rows.append(
        [
            "EBNF compile p50 (ms)",
            *(report.format_number(ebnf_only[e]["compile_p50_ms"], 2) for e in engines),
        ]
    )
    rows.append(
        [
            "EBNF compile p99 (ms)",
            *(report.format_number(ebnf_only[e]["compile_p99_ms"], 2) for e in engines),
        ]
    )
    rows.append(
        [
            "EBNF compile max (ms)",
            *(report.format_number(ebnf_only[e]["compile_max_ms"], 2) for e in engines),
        ]
    )
    return report.markdown_table(header, rows)


def targets_section(records_by_engine: dict, engines) -> str:
    """Issue 4's targets for ``ours``, stated as measured; empty when ours did not run."""
    peers = [engine for engine in engines if engine != "ours"]
    if "ours" not in engines or not peers:
        return ""
    summaries = {engine: report.summarize(records_by_engine[engine]) for engine in engines}
    lines = ["## Targets (issue 4)", ""]

    def verdict(ok):
        return "met" if ok else "MISSED"

    ours = summaries["ours"]
    if "upstream" in summaries:
        upstream = summaries["upstream"]
        lines.append(
            f"- per-token p50 at or below upstream's: ours {ours['token_p50_us']:.1f} µs, "
            f"upstream {upstream['token_p50_us']:.1f} µs -- "
            f"{verdict(ours['token_p50_us'] <= upstream['token_p50_us'])}"
        )
    best_peer = min(peers, key=lambda engine: summaries[engine]["token_p99_us"])
    best_p99 = summaries[best_peer]["token_p99_us"]
    p99_met = ours["token_p99_us"] <= best_p99 / 2
    lines.append(
        f"- per-token p99 at most half the best peer's: ours {ours['token_p99_us']:.1f} µs, "
        f"best peer {best_peer} {best_p99:.1f} µs -- {verdict(p99_met)}"
    )
    builtin = {
        engine: next(
            (
                r
                for r in records_by_engine[engine]
                if r["subset"] == BUILTIN_JSON and r["status"] == "ok"
            ),
            None,
        )
        for engine in ("ours", "upstream")
        if engine in records_by_engine
    }
    if builtin.get("ours") and builtin.get("upstream"):
        ours_ms = builtin["ours"]["compile_s"] * 1e3
        upstream_ms = builtin["upstream"]["compile_s"] * 1e3
        lines.append(
            f"- builtin JSON compile at most half upstream's: ours {ours_ms:.2f} ms, upstream "
            f"{upstream_ms:.2f} ms -- {verdict(ours_ms <= upstream_ms / 2)}"
        )
    lines.append(
        "\nThe percentiles cover only grammars an engine compiled; check the compiled row first."
    )
    return "\n".join(lines) + "\n"


def write_report(out: Path, store, engines, keys, versions, command, settings) -> Path:
    records_by_engine = {
        engine: [record for record in store.records(engine) if record["key"] in keys]
        for engine in engines
    }
    write_cdf_plot(
        {
            engine: [t for r in records if r["status"] == "ok" for t in r["token_us"]]
            for engine, records in records_by_engine.items()
        },
        out / "token_time_cdf.png",
        "EBNF grammars: per-token mask time (fill + accept)",
        "µs per token (log scale)",
    )
    finished = datetime.datetime.now(datetime.timezone.utc)
    engine_lines = "\n".join(f"- {engine}: {versions.get(engine, 'unknown')}" for engine in engines)
    text = f"""# EBNF grammars: side by side

Command: `{command}`

Report written {finished:%Y-%m-%d %H:%M UTC} on {platform.machine()}, Python
{platform.python_version()}; tokenizer `{settings["tokenizer"]}` (vocab {settings["vocab_size"]:,});
every engine single-threaded, one worker process each, run one after the other per grammar;
{settings["engine_options"]["clock"]} clock.

Engines:
{engine_lines}

Per-token time: fill the mask + accept the token while feeding each document, plus the final
mask that allows the stop token. Compile time: one compile per grammar, no compile cache.

## Overall

{overall_table(records_by_engine, engines)}

{targets_section(records_by_engine, engines)}
## Per grammar

{per_grammar_table(records_by_engine, engines)}

Plot: `token_time_cdf.png`.
"""
    table_path = out / "table.md"
    table_path.write_text(text, encoding="utf-8")
    return table_path


def main(argv=None) -> int:
    args = parse_args(argv)
    engines = parse_engine_list(args.engines)
    names = [name.strip() for name in args.grammars.split(",") if name.strip()]
    stop_tokens = [int(token) for token in args.stop_tokens.split(",") if token.strip()]
    tokenizer = TokenizerSetup.load(args.tokenizer, stop_tokens or None)
    items = load_corpus(args.corpus, names, tokenizer)
    settings = {
        # Named by folder and file, not path: the same file reached another way is the same run.
        "tokenizer": f"{tokenizer.path.parent.name}/{tokenizer.path.name}",
        "tokenizer_sha256": tokenizer.sha256,
        "vocab_size": tokenizer.vocab_size,
        "stop_token_ids": tokenizer.stop_token_ids,
        "timeout_s": args.timeout,
        "memory_limit_mb": args.memory_limit,
        "engine_options": {"clock": args.clock},
    }
    store = ResultsStore.open(args.out, settings, discard_old=args.fresh)
    versions_path = args.out / "engines.json"
    versions = json.loads(versions_path.read_text()) if versions_path.exists() else {}
    if not args.report_only:
        versions.update(
            run_benchmark(
                items,
                engines,
                store,
                {
                    "tokenizer_path": str(tokenizer.path),
                    "vocab_size": tokenizer.vocab_size,
                    "stop_token_ids": tokenizer.stop_token_ids,
                    "memory_limit_mb": args.memory_limit,
                    "options": settings["engine_options"],
                    "log_dir": args.out / "logs",
                    "venvs_dir": args.venvs,
                },
                args.timeout,
                jobs=args.jobs,
            )
        )
        versions_path.write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    # Show the command that measured, not the one that only rewrote the report.
    shown_argv = [
        arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--report-only"
    ]
    argv_text = " ".join(shlex.quote(arg) for arg in shown_argv)
    keys = {item.key for item in items}
    table_path = write_report(
        args.out, store, engines, keys, versions, f"python -m bench.grammars {argv_text}", settings
    )
    print(table_path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
