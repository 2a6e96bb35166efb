"""Checks TokenizerInfo on any tokenizer.json and times it against upstream XGrammar 0.2.8.

For each file: every token's decoded bytes are compared with what the `tokenizers` library
itself decodes for that token (tests/tokenizer_oracle.py: exact, completing partial UTF-8
characters), and the script prints tokens checked, mismatches (must be 0), the detected
vocabulary type, the stop and special tokens, and build times:

  ours(path)      TokenizerInfo.from_huggingface(path), loading the file included
  ours(hf)        TokenizerInfo.from_huggingface(transformers tokenizer), the file already loaded
  ours(core)      the C++ part alone: decoding and sorting the vocabulary
  upstream(hf)    upstream xgrammar 0.2.8's TokenizerInfo.from_huggingface(transformers tokenizer),
                  run in its own virtual environment (--upstream-python) because it has our name

Times are medians over --repeat runs, measured in this one run on this machine, as wall-clock
and CPU seconds. Upstream's
decoded vocabulary is compared with ours too (tokens whose bytes differ).

Usage: python bench/check_tokenizer.py PATH/tokenizer.json [...] [--upstream-python PY]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tokenizers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tokenizer_oracle import check_decoded_vocab  # noqa: E402

import xgrammar as xgr  # noqa: E402
from xgrammar import _core  # noqa: E402

# Runs inside upstream's environment: argv = tokenizer.json, output file, repeat count.
_UPSTREAM_SCRIPT = r"""
import json, statistics, sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import xgrammar
from transformers import PreTrainedTokenizerFast
path, output, repeat = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if (path.parent / "tokenizer_config.json").is_file():
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(path.parent))
else:
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(path))
times, cpu_times = [], []
for _ in range(repeat):
    start, cpu_start = time.perf_counter(), time.process_time()
    info = xgrammar.TokenizerInfo.from_huggingface(tokenizer)
    times.append(time.perf_counter() - start)
    cpu_times.append(time.process_time() - cpu_start)
json.dump({
    "seconds": statistics.median(times),
    "cpu_seconds": statistics.median(cpu_times),
    "vocab_type": info.vocab_type.name,
    "stop_token_ids": info.stop_token_ids,
    "num_special": len(info.special_token_ids),
    "decoded_vocab": [token.hex() for token in info.decoded_vocab],
}, open(output, "w"))
"""


class Timing:
    """Median wall-clock and CPU (process) seconds of repeated runs. The CPU time is the
    steadier number on a shared, loaded machine."""

    def __init__(self, wall: list, cpu: list) -> None:
        self.wall, self.cpu = statistics.median(wall), statistics.median(cpu)

    def __str__(self) -> str:
        return f"{self.wall:.3f}s/{self.cpu:.3f}s"


def _median_seconds(function, repeat: int):
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    return Timing(wall, cpu), result


def _load_transformers(path: Path):
    from transformers import PreTrainedTokenizerFast

    if (path.parent / "tokenizer_config.json").is_file():
        return PreTrainedTokenizerFast.from_pretrained(str(path.parent))
    return PreTrainedTokenizerFast(tokenizer_file=str(path))


def _run_upstream(python: str, path: Path, repeat: int):
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "upstream.json"
        completed = subprocess.run(
            [python, "-c", _UPSTREAM_SCRIPT, str(path), str(output), str(repeat)],
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            return {"error": completed.stderr.strip().splitlines()[-1:]}
        return json.loads(output.read_text())


def check_file(path: Path, upstream_python: str | None, repeat: int) -> dict:
    backend = tokenizers.Tokenizer.from_file(str(path))
    seconds_path, info = _median_seconds(lambda: xgr.TokenizerInfo.from_huggingface(path), repeat)
    hf_tokenizer = _load_transformers(path)
    seconds_hf, _ = _median_seconds(
        lambda: xgr.TokenizerInfo.from_huggingface(hf_tokenizer), repeat
    )
    encoded_vocab = [backend.id_to_token(i) or "" for i in range(len(info.decoded_vocab))]
    stop, special = info.stop_token_ids, info._handle.special_token_ids()
    seconds_core, _ = _median_seconds(
        lambda: _core.TokenizerInfo.from_encoded_vocab(
            encoded_vocab, info.vocab_type.value, None, stop, special, info.add_prefix_space
        ),
        repeat,
    )
    decoded_vocab = info.decoded_vocab
    report = check_decoded_vocab(
        decoded_vocab, lambda seqs: backend.decode_batch(seqs, skip_special_tokens=False)
    )
    result = {
        "file": str(path),
        "tokens": len(decoded_vocab),
        "checked": report.checked,
        "exact": report.exact,
        "completed": report.completed,
        "lossy": report.lossy,
        "mismatches": len(report.mismatches),
        "first_mismatches": report.mismatches[:5],
        "vocab_type": info.vocab_type.name,
        "add_prefix_space": info.add_prefix_space,
        "stop": [(i, backend.id_to_token(i)) for i in info.stop_token_ids],
        "num_special": len(special),
        "seconds_path": seconds_path,
        "seconds_hf": seconds_hf,
        "seconds_core": seconds_core,
    }
    if upstream_python:
        upstream = _run_upstream(upstream_python, path, repeat)
        result["upstream"] = {k: v for k, v in upstream.items() if k != "decoded_vocab"}
        if "decoded_vocab" in upstream:
            theirs = [bytes.fromhex(token) for token in upstream["decoded_vocab"]]
            differing = [
                i for i, token in enumerate(decoded_vocab) if i >= len(theirs) or theirs[i] != token
            ]
            result["upstream"]["tokens_decoded_differently"] = len(differing)
            result["upstream"]["first_differences"] = [
                (i, decoded_vocab[i], theirs[i] if i < len(theirs) else None) for i in differing[:3]
            ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--upstream-python", default="/work/venvs/upstream/bin/python")
    parser.add_argument("--no-upstream", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    upstream_python = None if arguments.no_upstream else arguments.upstream_python
    failed = False
    for path in arguments.files:
        if path.is_dir():
            path = path / "tokenizer.json"
        result = check_file(path, upstream_python, arguments.repeat)
        failed |= result["mismatches"] > 0
        print(f"== {result['file']}")
        print(
            f"  tokens checked {result['checked']}/{result['tokens']} "
            f"(exact {result['exact']}, partial UTF-8 completed {result['completed']}, "
            f"lossy only {result['lossy']}); mismatches {result['mismatches']}"
        )
        for mismatch in result["first_mismatches"]:
            print(f"    mismatch: id {mismatch[0]} ours {mismatch[1]!r} tokenizer {mismatch[2]!r}")
        print(
            f"  type {result['vocab_type']}, add_prefix_space {result['add_prefix_space']}, "
            f"special tokens {result['num_special']}, stop tokens {result['stop']}"
        )
        line = (
            f"  build time wall/cpu (median of {arguments.repeat}): "
            f"ours(path) {result['seconds_path']}  ours(hf) {result['seconds_hf']}  "
            f"ours(core) {result['seconds_core']}"
        )
        upstream = result.get("upstream")
        if upstream and "seconds" in upstream:
            line += f"  upstream(hf) {upstream['seconds']:.3f}s/{upstream['cpu_seconds']:.3f}s"
            print(line)
            print(
                f"  upstream: type {upstream['vocab_type']}, stop {upstream['stop_token_ids']}, "
                f"special {upstream['num_special']}, tokens decoded differently from ours "
                f"{upstream['tokens_decoded_differently']} (first: {upstream['first_differences']})"
            )
        else:
            print(line)
            if upstream:
                print(f"  upstream failed: {upstream.get('error')}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
