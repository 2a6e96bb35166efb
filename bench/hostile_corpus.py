"""Runs the hostile-input corpus (tests/hostile/cases.py) and prints, per case, its outcome,
wall time, and peak memory: the growth of the process's peak resident set (ru_maxrss, which
catches C++ allocations) and the peak of Python allocations (tracemalloc).

    python bench/hostile_corpus.py [--filter SUBSTRING]

A case whose outcome differs from the table's expectation is marked FAIL and the exit status
is 1. Cases run in table order in one process; ru_maxrss only grows, so a case's growth is
what it added above every earlier case's peak (0 when it stayed below it).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hostile.cases import ALL_CASES, shared_environment  # noqa: E402


def run_case(case, env) -> str:
    try:
        result = case.run(env)
    except Exception as error:  # noqa: BLE001 - every outcome is reported, typed or not
        if case.raises is not None and isinstance(error, case.raises):
            return f"ok: {type(error).__name__}"
        return f"FAIL: {type(error).__name__}: {str(error)[:80]}"
    if case.raises is not None:
        return f"FAIL: returned {result!r:.40} instead of raising {case.raises.__name__}"
    return "ok: result checked" if case.check(result) else f"FAIL: wrong result {result!r:.40}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filter", default="")
    args = parser.parse_args()
    env = shared_environment()
    # Pay one-time costs (the first bitmask imports torch) before timing any case.
    env.matcher('root ::= "a"').fill_next_token_bitmask(
        __import__("xgrammar").allocate_token_bitmask(1, env.info.vocab_size)
    )
    failures = 0
    print(f"{'case':<50}{'time ms':>10}{'rss +MB':>9}{'py peak MB':>11}  outcome")
    for case in ALL_CASES:
        if args.filter not in case.name:
            continue
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        outcome = run_case(case, env)
        elapsed_ms = (time.perf_counter() - start) * 1000
        _, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        failures += outcome.startswith("FAIL")
        print(
            f"{case.name:<50}{elapsed_ms:>10.1f}{rss_growth_mb:>9.1f}"
            f"{python_peak / 2**20:>11.1f}  {outcome}"
        )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
