"""MaskBench runner: JSON-Schema coverage, correctness and mask speed of several engines.

Entry point: ``python -m bench.maskbench DATA_DIR --tokenizer TOKENIZER_JSON [options]`` (see
``--help`` and bench/README.md). DATA_DIR holds one folder per subset of MaskBench files
(``{"schema": ..., "tests": [{"valid": bool, "data": ...}]}``). For every selected schema and
every engine, a worker in the engine's own venv compiles the schema, then feeds each test
instance -- serialized with ``json.dumps`` defaults and tokenized once here -- token by token,
timing mask fill + accept for the valid ones (bench/engines/worker_protocol.py has the exact
rules). Results are cached per schema and engine under ``OUT/cache``; ``OUT/table.md`` and the
CDF plots ``OUT/token_time_cdf.png`` and ``OUT/compile_time_cdf.png`` are rewritten at the end.

Sampling: ``--subsets`` picks folders, ``--limit N`` draws N schemas uniformly at random (seeded
by ``--seed``) from them, so a sample of a few hundred runs in minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import random
import shlex
import sys
from pathlib import Path

from bench.harness import report
from bench.harness.engine_process import DEFAULT_VENVS_DIR, WORKER_OF_ENGINE, parse_engine_list
from bench.harness.plots import write_cdf_plot
from bench.harness.results_store import ResultsStore
from bench.harness.run_loop import BenchItem, run_benchmark
from bench.harness.tokenizer_setup import TokenizerSetup

DEFAULT_ENGINES = "ours,upstream,llguidance,outlines"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT_MB = 4096


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.maskbench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("data_dir", type=Path, help="folder of MaskBench subset folders")
    parser.add_argument("--tokenizer", type=Path, required=True, help="a HF tokenizer.json")
    parser.add_argument(
        "--engines",
        default=DEFAULT_ENGINES,
        help=f"comma-separated, of {', '.join(WORKER_OF_ENGINE)}",
    )
    parser.add_argument(
        "--subsets", default="", help="comma-separated subset folders (default: all)"
    )
    parser.add_argument(
        "--limit", type=int, default=0, help="run N schemas drawn at random (0: all)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the --limit draw")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help="seconds per schema and engine (compile + all instances)",
    )
    parser.add_argument(
        "--memory-limit",
        type=int,
        default=DEFAULT_MEMORY_LIMIT_MB,
        help="MiB of address space a worker may add after start-up (0: none)",
    )
    parser.add_argument(
        "--stop-tokens",
        default="",
        help="comma-separated stop token ids (default: from the tokenizer's special tokens)",
    )
    parser.add_argument(
        "--xgrammar-strict",
        action="store_true",
        help="compile schemas with strict_mode=True in ours/upstream (no unlisted properties)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench/results/maskbench"), help="results folder"
    )
    parser.add_argument("--fresh", action="store_true", help="discard cached results in --out")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the table and plots from the cache"
    )
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
    parser.add_argument(
        "--venvs", type=Path, default=DEFAULT_VENVS_DIR, help="folder of per-engine venvs"
    )
    return parser.parse_args(argv)


def select_schema_files(data_dir: Path, subsets, limit: int, seed: int) -> list:
    """Sorted (subset, path) pairs; a seeded uniform sample of ``limit`` of them if limit > 0."""
    folders = sorted(path for path in Path(data_dir).iterdir() if path.is_dir())
    if subsets:
        known = {folder.name for folder in folders}
        unknown = [name for name in subsets if name not in known]
        if unknown:
            raise SystemExit(f"unknown subsets {unknown}; known: {sorted(known)}")
        folders = [folder for folder in folders if folder.name in subsets]
    files = [(folder.name, path) for folder in folders for path in sorted(folder.glob("*.json"))]
    if 0 < limit < len(files):
        # Shuffle-then-cut keeps samples nested: a larger --limit with the same seed contains a
        # smaller one, so growing a run reuses every cached result.
        random.Random(seed).shuffle(files)
        files = sorted(files[:limit])
    return files


def load_item(subset: str, path: Path, tokenizer: TokenizerSetup) -> BenchItem:
    document = json.loads(path.read_text(encoding="utf-8"))
    valid, invalid = [], []
    for test in document.get("tests", []):
        token_ids = tokenizer.encode(json.dumps(test["data"]))
        (valid if test["valid"] else invalid).append(token_ids)
    return BenchItem(
        key=f"{subset}/{path.name}",
        subset=subset,
        grammar={"kind": "json_schema", "schema": document["schema"]},
        valid=valid,
        invalid=invalid,
    )


def write_report(
    out: Path, store: ResultsStore, engines, keys, versions: dict, command: str, settings: dict
) -> Path:
    records_by_engine = {
        engine: [record for record in store.records(engine) if record["key"] in keys]
        for engine in engines
    }
    summaries = {engine: report.summarize(records) for engine, records in records_by_engine.items()}
    write_cdf_plot(
        {
            engine: [t for r in records if r["status"] == "ok" for t in r["token_us"]]
            for engine, records in records_by_engine.items()
        },
        out / "token_time_cdf.png",
        "MaskBench: per-token mask time (fill + accept)",
        "µs per token (log scale)",
    )
    write_cdf_plot(
        {
            engine: [r["compile_s"] * 1e3 for r in records if r["status"] == "ok"]
            for engine, records in records_by_engine.items()
        },
        out / "compile_time_cdf.png",
        "MaskBench: compile time per schema",
        "ms per schema (log scale)",
    )
    engine_lines = "\n".join(
        f"- {engine}: {versions.get(engine, 'unknown version')}" for engine in engines
    )
    finished = datetime.datetime.now(datetime.timezone.utc)
    run_details = (
        f"Report written {finished:%Y-%m-%d %H:%M UTC} on {platform.machine()}, Python "
        f"{platform.python_version()}; tokenizer `{settings['tokenizer']}` (vocab "
        f"{settings['vocab_size']:,}, stop tokens {settings['stop_token_ids']}); timeout "
        f"{settings['timeout_s']:g} s and memory limit {settings['memory_limit_mb']} MiB per "
        f"schema; every engine single-threaded; {settings['engine_options']['clock']} clock."
    )
    text = f"""# MaskBench results

Command: `{command}`

{run_details}

Engines:
{engine_lines}

Per-token time: fill the mask + accept the token, over every valid instance of every schema the
engine compiled (plus the final mask that allows the stop token). Compile time: schemas that
compiled. Passing: compiled, every valid instance accepted, every invalid one rejected.

## All schemas

{report.overall_table(summaries, engines)}

## Per subset

{report.subset_table(records_by_engine, engines)}

Plots: `token_time_cdf.png`, `compile_time_cdf.png`.
"""
    table_path = out / "table.md"
    table_path.write_text(text, encoding="utf-8")
    return table_path


def main(argv=None) -> int:
    args = parse_args(argv)
    engines = parse_engine_list(args.engines)
    subsets = [name.strip() for name in args.subsets.split(",") if name.strip()]
    stop_tokens = [int(token) for token in args.stop_tokens.split(",") if token.strip()]
    tokenizer = TokenizerSetup.load(args.tokenizer, stop_tokens or None)
    options = {"strict_mode": args.xgrammar_strict, "clock": args.clock}
    settings = {
        # Named by folder and file, not path: the same file reached another way is the same run.
        "tokenizer": f"{tokenizer.path.parent.name}/{tokenizer.path.name}",
        "tokenizer_sha256": tokenizer.sha256,
        "vocab_size": tokenizer.vocab_size,
        "stop_token_ids": tokenizer.stop_token_ids,
        "timeout_s": args.timeout,
        "memory_limit_mb": args.memory_limit,
        "engine_options": options,
    }
    store = ResultsStore.open(args.out, settings, discard_old=args.fresh)
    files = select_schema_files(args.data_dir, subsets, args.limit, args.seed)
    keys = {f"{subset}/{path.name}" for subset, path in files}
    versions_path = args.out / "engines.json"
    versions = json.loads(versions_path.read_text()) if versions_path.exists() else {}
    if not args.report_only:
        print(f"{len(files)} schemas x {len(engines)} engines -> {args.out}", file=sys.stderr)
        items = [load_item(subset, path, tokenizer) for subset, path in files]
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
                    "options": options,
                    "log_dir": args.out / "logs",
                    "venvs_dir": args.venvs,
                },
                args.timeout,
                jobs=args.jobs,
            )
        )
        versions_path.write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    command = "python -m bench.maskbench " + " ".join(
        shlex.quote(arg)
        for arg in (argv if argv is not None else sys.argv[1:])
        if arg != "--report-only"  # show the command that measured, not the one that rewrote
    )
    table_path = write_report(args.out, store, engines, keys, versions, command, settings)
    print(table_path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
