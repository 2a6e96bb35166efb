"""MaskBench coverage of the JSON Schema converter: how many schemas convert, and why not.

Usage: python bench/json_schema_conversion.py /path/to/maskbench [--check N] [--strict]

Converts every schema (strict_mode=False unless --strict: MaskBench's instances follow standard
JSON Schema semantics) and prints, per subset and in total, the schemas converted, the errors by
class and by keyword, and conversion time p50 / p99 / max. With --check N, the first N converted
schemas (grammar under 20 kB) of each subset also run their test instances (json.dumps
defaults) through the reference Earley recognizer (tests/reference): valid accepted, valid
rejected, invalid accepted (must be 0), invalid rejected.
"""

import argparse
import collections
import glob
import json
import os
import re
import signal
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from xgrammar.exceptions import XGrammarError  # noqa: E402
from xgrammar.json_schema import json_schema_to_ebnf  # noqa: E402


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else 0.0


def _on_alarm(signum, frame):
    raise TimeoutError


def main():
    signal.signal(signal.SIGALRM, _on_alarm)
    parser = argparse.ArgumentParser()
    parser.add_argument("maskbench")
    parser.add_argument("--check", type=int, default=0)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per schema")
    args = parser.parse_args()
    if args.check:
        from reference import earley
    totals = collections.Counter()
    reasons = collections.Counter()
    times = []
    for subset in sorted(os.listdir(args.maskbench)):
        files = sorted(glob.glob(os.path.join(args.maskbench, subset, "*.json")))
        if not files:
            continue
        counts = collections.Counter()
        checked = 0
        for path in files:
            with open(path, encoding="utf-8") as file:
                case = json.load(file)
            counts["schemas"] += 1
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    grammar = json_schema_to_ebnf(case["schema"], strict_mode=args.strict)
            except XGrammarError as error:
                counts["errors"] += 1
                keyword = re.search(r"keyword '([^']+)'", str(error))
                reason = keyword.group(1) if keyword else str(error)[:60]
                reasons[(type(error).__name__, reason)] += 1
                continue
            except TimeoutError:
                counts["timeouts"] += 1
                reasons[("timeout", os.path.relpath(path, args.maskbench))] += 1
                continue
            except Exception as error:  # a crash: a bug to fix
                counts["crashes"] += 1
                reasons[("CRASH " + type(error).__name__, str(error)[:80])] += 1
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                times.append(time.perf_counter() - start)
            counts["converted"] += 1
            if checked < args.check and len(grammar) < 20000:
                checked += 1
                signal.setitimer(signal.ITIMER_REAL, args.timeout)
                try:
                    recognizer = earley.Recognizer(grammar)
                    for test in case.get("tests", []):
                        accepted = recognizer.accepts(json.dumps(test["data"]).encode("utf-8"))
                        kind = "valid" if test["valid"] else "invalid"
                        counts[f"{kind}_{'accepted' if accepted else 'rejected'}"] += 1
                        if accepted and not test["valid"]:
                            print("INVALID ACCEPTED", path, flush=True)
                except TimeoutError:
                    counts["check_timeouts"] += 1
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        print(subset, dict(counts), flush=True)
        totals.update(counts)
    print("TOTAL", dict(totals))
    p50, p99, worst = (1e3 * percentile(times, q) for q in (0.5, 0.99, 1.0))
    print(f"convert time ms: p50 {p50:.2f} p99 {p99:.2f} max {worst:.2f}")
    for (kind, reason), count in reasons.most_common(40):
        print(f"{count:6d}  {kind}: {reason}")


if __name__ == "__main__":
    main()
