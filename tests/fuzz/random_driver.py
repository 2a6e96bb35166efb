"""Seeded random-mutation driver: `python tests/fuzz/random_driver.py TARGET [flags] [DIR ...]`.

The fallback of run_fuzz.sh where atheris is not installed (it ships wheels only for some
Python versions): the same targets (targets.TARGETS), the same limits (targets.FUZZ_LIMITS),
and the libFuzzer flags run_fuzz.sh passes (`-max_total_time=S`, `-artifact_prefix=P`,
`-seed=N`; others are ignored), but no coverage guidance. Inputs are the files of the DIRs
(saved regressions, an atheris corpus) and a few built-in seeds per target, mutated by bit
flips, byte edits, deletions, duplications and splices; every 16th mutant joins the pool, so
mutations compound.

A target raising anything but XGrammarError is a finding: the input is written to
`<artifact_prefix>crash-<sha1>`, the traceback printed, and the exit status is 1. Like
libFuzzer's, the last lines report `#<runs> DONE` and `stat::number_of_executed_units`.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xgrammar.config  # noqa: E402
from fuzz.targets import FUZZ_LIMITS, MAX_INPUT_BYTES, TARGETS  # noqa: E402
from xgrammar.exceptions import XGrammarError  # noqa: E402

BUILTIN_SEEDS = {
    "ebnf": [b'root ::= "a" b*\nb ::= [0-9] | "(" root ")"', b'root ::= ("x" | "y"){2,4} (= "z")'],
    "deserialize": [],
    "matcher": [bytes(range(64)), b"\x00\x01\x02\x03" * 8],
    "regex": [rb"(a|b)*c[0-9]{2,3}", rb"^\d+(\.\d*)?$", rb"[^\s\S]|x{0,5}?"],
    "json_schema": [
        b'{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}',
        b'{"anyOf": [{"type": "string", "maxLength": 3}, {"enum": [1, "x", null]}]}',
        b'{"type": "array", "items": {"$ref": "#"}, "minItems": 1}',
    ],
}
# Bytes that matter to the parsers: EBNF and regex operators, JSON punctuation, UTF-8 edges.
INTERESTING = b'root::=|()[]^-*+?{},.0123456789"\\:ab\n #=$\xc3\xa9\xff\x00'
POOL_LIMIT = 2000


def mutate(data: bytes, pool: list[bytes], rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        position = rng.randrange(len(out) + 1)
        if op == 0 and out:
            out[position % len(out)] ^= 1 << rng.randrange(8)
        elif op == 1:
            out.insert(position, rng.choice(INTERESTING))
        elif op == 2 and out:
            del out[position : position + rng.randint(1, 8)]
        elif op == 3 and out:
            start = rng.randrange(len(out))
            out[position:position] = out[start : start + rng.randint(1, 16)]
        elif op == 4:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            out[position:position] = other[start : start + rng.randint(1, 32)]
        else:
            other = rng.choice(pool)
            out = out[:position] + other[rng.randrange(len(other) + 1) :]
    return bytes(out[:MAX_INPUT_BYTES])


def parse_flags(argv: list[str]) -> tuple[dict, list[Path]]:
    flags = {"max_total_time": "60", "artifact_prefix": "./", "seed": "0"}
    dirs = []
    for arg in argv:
        if arg.startswith("-") and "=" in arg:
            name, value = arg[1:].split("=", 1)
            flags[name] = value
        else:
            dirs.append(Path(arg))
    return flags, dirs


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: random_driver.py {{{','.join(TARGETS)}}} [-flag=value] [DIR ...]")
    name = sys.argv[1]
    target = TARGETS[name]
    flags, dirs = parse_flags(sys.argv[2:])
    rng = random.Random(f"{name}-{flags['seed']}")
    xgrammar.config.set_limits(**FUZZ_LIMITS)
    pool = [p.read_bytes() for d in dirs if d.is_dir() for p in sorted(d.iterdir()) if p.is_file()]
    pool += BUILTIN_SEEDS.get(name, [])
    pool = pool or [b""]
    deadline = time.monotonic() + float(flags["max_total_time"])
    runs = 0
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), pool, rng)
        runs += 1
        try:
            target(data)
        except XGrammarError:
            pass
        except Exception:  # noqa: BLE001 - anything else is what the fuzzer looks for
            crash = Path(f"{flags['artifact_prefix']}crash-{hashlib.sha1(data).hexdigest()}")
            crash.write_bytes(data)
            traceback.print_exc()
            print(f"=== Uncaught exception; input written to {crash}", file=sys.stderr)
            sys.exit(1)
        if runs % 16 == 0:
            if len(pool) >= POOL_LIMIT:
                pool[rng.randrange(len(pool))] = data
            else:
                pool.append(data)
    print(f"#{runs} DONE")
    print(f"stat::number_of_executed_units: {runs}")


if __name__ == "__main__":
    main()
