"""MaskBench acceptance check of the JSON Schema front end, without a vocabulary (fast).

Usage: python bench/json_schema_acceptance.py /path/to/maskbench [--limit N] [--seed S]
       [--subset NAME] [--timeout SECONDS] [--jobs J] [--details FILE] [--rerun DETAILS]
       [--strict]

For every MaskBench file (or a seeded random sample of --limit files) it converts the schema
exactly as bench/engines/xgrammar_worker.py does (any_whitespace=True, strict_mode=False unless
--strict), compiles the grammar over an empty vocabulary (so no token masks are computed) and
feeds each test instance, serialized with ``json.dumps`` defaults as the MaskBench runner does,
to a GrammarMatcher: accepted means the whole string is consumed and the matcher can terminate.

Printed per subset and in total: schemas, converted, conversion errors, timeouts, crashes,
valid instances rejected, invalid instances accepted (must be 0); then the conversion errors
grouped by reason (exception class + keyword + message with pointers and numbers blanked).
--details writes one JSON line per schema (path, status, reason, indices of the wrong
verdicts) for follow-up; --rerun DETAILS then checks only the files that did not pass.

Each schema runs in a worker subprocess that is killed and restarted when it exceeds
--timeout seconds (conversion, compilation and matching together), so neither a slow Python
conversion nor a long C++ compilation can stall the run.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import multiprocessing
import os
import random
import re
import sys
import time
import warnings
from typing import Any, Dict, List

COUNT_COLUMNS = [
    "schemas",
    "converted",
    "errors",
    "timeouts",
    "crashes",
    "valid",
    "valid_rejected",
    "invalid",
    "invalid_accepted",
]


def reason_class(error: BaseException) -> str:
    """The error's class and message with JSON pointers and numbers blanked, so that errors of
    one cause group together."""
    message = str(error).splitlines()[0] if str(error) else ""
    message = re.sub(r"(?<=\s)/\S*", "<ptr>", message)
    message = re.sub(r"\d+", "N", message)
    return f"{type(error).__name__}: {message[:150]}"


def check_file(path: str, strict_mode: bool) -> Dict[str, Any]:
    """Convert, compile and match one MaskBench file; runs inside a worker process."""
    from xgrammar.exceptions import XGrammarError
    from xgrammar.grammar import Grammar
    from xgrammar.testing import _get_matcher_from_grammar

    with open(path, encoding="utf-8") as file:
        case = json.load(file)
    tests = case.get("tests", [])
    result: Dict[str, Any] = {
        "valid": sum(1 for t in tests if t["valid"]),
        "invalid": sum(1 for t in tests if not t["valid"]),
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grammar = Grammar.from_json_schema(
                json.dumps(case["schema"]), any_whitespace=True, strict_mode=strict_mode
            )
            matcher = _get_matcher_from_grammar(grammar)
    except XGrammarError as error:
        return {**result, "status": "error", "reason": reason_class(error), "message": str(error)}
    except Exception as error:  # a crash: a bug to fix
        return {**result, "status": "crash", "reason": reason_class(error), "message": str(error)}
    valid_rejected: List[int] = []
    invalid_accepted: List[int] = []
    for index, test in enumerate(tests):
        matcher.reset()
        text = json.dumps(test["data"])
        accepted = matcher.accept_string(text) and matcher.is_completed()
        if test["valid"] and not accepted:
            valid_rejected.append(index)
        elif accepted and not test["valid"]:
            invalid_accepted.append(index)
    return {
        **result,
        "status": "converted",
        "valid_rejected": valid_rejected,
        "invalid_accepted": invalid_accepted,
    }


def _worker_loop(connection, strict_mode: bool) -> None:
    while True:
        path = connection.recv()
        if path is None:
            return
        try:
            reply = check_file(path, strict_mode)
        except Exception as error:  # unreadable file or a bug in check_file itself
            reply = {"status": "crash", "reason": reason_class(error), "message": str(error)}
        connection.send(reply)


class Worker:
    """One subprocess checking one file at a time; restarted after a timeout."""

    def __init__(self, strict_mode: bool) -> None:
        self.strict_mode = strict_mode
        self.start()

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=_worker_loop, args=(child_end, self.strict_mode), daemon=True
        )
        self.process.start()
        self.path = None
        self.deadline = 0.0

    def submit(self, path: str, timeout: float) -> None:
        self.path = path
        self.deadline = time.monotonic() + timeout
        self.connection.send(path)

    def restart(self) -> None:
        self.process.kill()
        self.process.join()
        self.start()


def run(paths: List[str], args) -> List[Dict[str, Any]]:
    results: List[Dict[str, Any]] = []
    pending = list(reversed(paths))
    workers = [Worker(args.strict) for _ in range(max(1, args.jobs))]
    while pending or any(w.path for w in workers):
        for worker in workers:
            if worker.path is None and pending:
                worker.submit(pending.pop(), args.timeout)
        busy = [w for w in workers if w.path]
        ready = multiprocessing.connection.wait([w.connection for w in busy], timeout=0.2)
        for worker in busy:
            path = worker.path
            if worker.connection in ready:
                try:
                    reply = worker.connection.recv()
                except EOFError:  # the worker died (out of memory, abort)
                    reply = {"status": "crash", "reason": "worker died", "message": ""}
                    worker.restart()
            elif time.monotonic() > worker.deadline:
                reply = {"status": "timeout", "reason": "timeout", "message": ""}
                worker.restart()
            else:
                continue
            reply["path"] = path
            worker.path = None
            results.append(reply)
            if len(results) % 200 == 0:
                print(f"... {len(results)}/{len(paths)}", file=sys.stderr, flush=True)
    for worker in workers:
        worker.connection.send(None)
        worker.process.join(timeout=5)
    return results


def tally(results: List[Dict[str, Any]], root: str) -> None:
    per_subset: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    reasons: collections.Counter = collections.Counter()
    for result in results:
        subset = os.path.relpath(result["path"], root).split(os.sep)[0]
        counts = per_subset[subset]
        counts["schemas"] += 1
        status = result["status"]
        counts[{"converted": "converted", "error": "errors"}.get(status, status + "s")] += 1
        if status != "converted":
            reasons[result["reason"]] += 1
            continue
        counts["valid"] += result["valid"]
        counts["invalid"] += result["invalid"]
        counts["valid_rejected"] += len(result["valid_rejected"])
        counts["invalid_accepted"] += len(result["invalid_accepted"])
    total = collections.Counter()
    for counts in per_subset.values():
        total.update(counts)
    header = f"{'subset':16s}" + "".join(f"{c:>17s}" for c in COUNT_COLUMNS)
    print(header)
    for subset in sorted(per_subset) + ["TOTAL"]:
        counts = total if subset == "TOTAL" else per_subset[subset]
        print(f"{subset:16s}" + "".join(f"{counts[c]:>17d}" for c in COUNT_COLUMNS))
    if total["valid"]:
        share = 100.0 * total["valid_rejected"] / total["valid"]
        print(f"valid instances rejected (of converted schemas): {share:.2f}%")
    print("\nnot converted, by reason:")
    for reason, count in reasons.most_common():
        print(f"{count:6d}  {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("maskbench", help="folder of MaskBench subset folders")
    parser.add_argument("--limit", type=int, default=0, help="random sample of N files (0: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --limit sample")
    parser.add_argument("--subset", action="append", help="only these subsets (repeatable)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per schema")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--details", help="write one JSON line per schema to this file")
    parser.add_argument("--strict", action="store_true", help="convert with strict_mode=True")
    parser.add_argument(
        "--rerun",
        metavar="DETAILS",
        help="only the files that a previous --details file records as not passing",
    )
    args = parser.parse_args()
    paths = sorted(glob.glob(os.path.join(args.maskbench, "*", "*.json")))
    if args.rerun:
        with open(args.rerun, encoding="utf-8") as file:
            earlier = [json.loads(line) for line in file]
        failing = {
            os.path.realpath(r["path"])
            for r in earlier
            if r["status"] != "converted" or r["valid_rejected"] or r["invalid_accepted"]
        }
        paths = [p for p in paths if os.path.realpath(p) in failing]
    if args.subset:
        paths = [p for p in paths if os.path.basename(os.path.dirname(p)) in args.subset]
    if args.limit and args.limit < len(paths):
        paths = sorted(random.Random(args.seed).sample(paths, args.limit))
    start = time.monotonic()
    results = run(paths, args)
    results.sort(key=lambda r: r["path"])
    if args.details:
        with open(args.details, "w", encoding="utf-8") as out:
            for result in results:
                out.write(json.dumps(result) + "\n")
    tally(results, args.maskbench)
    print(f"\n{len(paths)} files in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
