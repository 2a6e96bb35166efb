"""Turns per-item result records into the numbers and markdown tables of a benchmark report.

A record (one engine on one schema or grammar, as stored by results_store.py) carries
``status`` (ok, compile_error, timeout, crash, oom), ``subset``, ``compile_s``, ``token_us``
(per-token mask times of the valid documents, fill + accept, in microseconds), and the counts
``valid_total``, ``valid_accepted``, ``invalid_total``, ``invalid_rejected``.

An item "passes" when it compiled, every valid document was accepted and every invalid one was
rejected (MaskBench's definition). Time percentiles only cover items that compiled, so an engine
that refuses hard schemas is not rewarded for it in the counts -- read the two together.

Entry points: ``percentile``, ``summarize``, ``overall_table``, ``subset_table``.
"""

from __future__ import annotations

import math
from collections import defaultdict

TOKEN_PERCENTILES = (50, 90, 99, 99.9)
FAILURE_STATUSES = ("compile_error", "crash", "oom", "timeout")


def percentile(sorted_values, q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN for no values."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    position = (len(sorted_values) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    fraction = position - lower
    return float(sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * fraction)


def summarize(records) -> dict:
    """Counts and percentiles for one engine's records (any subset of them)."""
    token_us = sorted(
        t for record in records if record["status"] == "ok" for t in record["token_us"]
    )
    compile_ms = sorted(
        record["compile_s"] * 1e3
        for record in records
        if record["status"] == "ok" and record.get("compile_s") is not None
    )
    summary = {
        "items": len(records),
        "compiled": sum(1 for record in records if record["status"] == "ok"),
        "tokens": len(token_us),
        "token_max_us": token_us[-1] if token_us else math.nan,
        "compile_p50_ms": percentile(compile_ms, 50),
        "compile_p99_ms": percentile(compile_ms, 99),
        "compile_max_ms": compile_ms[-1] if compile_ms else math.nan,
    }
    for q in TOKEN_PERCENTILES:
        summary[f"token_p{q:g}_us"] = percentile(token_us, q)
    for status in FAILURE_STATUSES:
        summary[status] = sum(1 for record in records if record["status"] == status)
    ok = [record for record in records if record["status"] == "ok"]
    summary["valid_total"] = sum(record["valid_total"] for record in ok)
    summary["valid_accepted"] = sum(record["valid_accepted"] for record in ok)
    summary["invalid_total"] = sum(record["invalid_total"] for record in ok)
    summary["invalid_rejected"] = sum(record["invalid_rejected"] for record in ok)
    summary["wrongly_rejected_valid"] = summary["valid_total"] - summary["valid_accepted"]
    summary["wrongly_accepted_invalid"] = summary["invalid_total"] - summary["invalid_rejected"]
    summary["schemas_rejecting_valid"] = sum(
        1 for record in ok if record["valid_accepted"] < record["valid_total"]
    )
    summary["schemas_accepting_invalid"] = sum(
        1 for record in ok if record["invalid_rejected"] < record["invalid_total"]
    )
    summary["passing"] = sum(
        1
        for record in ok
        if record["valid_accepted"] == record["valid_total"]
        and record["invalid_rejected"] == record["invalid_total"]
    )
    summary["mask_disagreements"] = sum(record.get("mask_disagreements", 0) for record in ok)
    return summary


def format_number(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int) or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def markdown_table(header, rows, align_left_columns=1) -> str:
    widths = [len(cell) for cell in header]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row)]

    def line(cells):
        padded = [
            cell.ljust(width) if index < align_left_columns else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ":" + "-" * (width + 1) if index < align_left_columns else "-" * (width + 1) + ":"
            for index, width in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(header), rule] + [line(row) for row in rows])


def fraction(part: int, whole: int) -> str:
    return f"{part:,}/{whole:,}" if whole else "-"


# (row label, how to read it from a summary) for the MaskBench-style overall table.
OVERALL_ROWS = (
    ("per-token p50 (µs)", lambda s: format_number(s["token_p50_us"], 1)),
    ("per-token p90 (µs)", lambda s: format_number(s["token_p90_us"], 1)),
    ("per-token p99 (µs)", lambda s: format_number(s["token_p99_us"], 1)),
    ("per-token p99.9 (µs)", lambda s: format_number(s["token_p99.9_us"], 1)),
    ("per-token max (µs)", lambda s: format_number(s["token_max_us"], 1)),
    ("compile p50 (ms)", lambda s: format_number(s["compile_p50_ms"], 2)),
    ("compile p99 (ms)", lambda s: format_number(s["compile_p99_ms"], 2)),
    ("compile max (ms)", lambda s: format_number(s["compile_max_ms"], 2)),
    ("tokens measured", lambda s: format_number(s["tokens"])),
    ("schemas", lambda s: format_number(s["items"])),
    ("passing", lambda s: format_number(s["passing"])),
    ("compile errors", lambda s: format_number(s["compile_error"])),
    ("crashes", lambda s: format_number(s["crash"])),
    ("out of memory", lambda s: format_number(s["oom"])),
    ("timeouts", lambda s: format_number(s["timeout"])),
    ("valid instances accepted", lambda s: fraction(s["valid_accepted"], s["valid_total"])),
    ("invalid instances rejected", lambda s: fraction(s["invalid_rejected"], s["invalid_total"])),
    ("wrongly rejected valid (instances)", lambda s: format_number(s["wrongly_rejected_valid"])),
    (
        "wrongly accepted invalid (instances)",
        lambda s: format_number(s["wrongly_accepted_invalid"]),
    ),
    (
        "schemas with a valid instance rejected",
        lambda s: format_number(s["schemas_rejecting_valid"]),
    ),
    (
        "schemas with an invalid instance accepted",
        lambda s: format_number(s["schemas_accepting_invalid"]),
    ),
    ("mask/accept disagreements (tokens)", lambda s: format_number(s["mask_disagreements"])),
)


def overall_table(summaries: dict, engines) -> str:
    """Rows are metrics, columns engines, as in MaskBench's README."""
    header = ["metric"] + list(engines)
    rows = [
        [label] + [read(summaries[engine]) for engine in engines] for label, read in OVERALL_ROWS
    ]
    return markdown_table(header, rows)


def subset_table(records_by_engine: dict, engines) -> str:
    """One row per (subset, engine): coverage, correctness and time side by side."""
    header = [
        "subset",
        "engine",
        "schemas",
        "compiled",
        "passing",
        "compile err",
        "crash/oom",
        "timeout",
        "valid accepted",
        "invalid rejected",
        "compile p50 ms",
        "compile p99 ms",
        "token p50 µs",
        "token p99 µs",
    ]
    by_subset = defaultdict(lambda: defaultdict(list))
    for engine in engines:
        for record in records_by_engine.get(engine, []):
            by_subset[record["subset"]][engine].append(record)
    rows = []
    for subset in sorted(by_subset):
        for engine in engines:
            summary = summarize(by_subset[subset][engine])
            rows.append(
                [
                    subset,
                    engine,
                    format_number(summary["items"]),
                    format_number(summary["compiled"]),
                    format_number(summary["passing"]),
                    format_number(summary["compile_error"]),
                    format_number(summary["crash"] + summary["oom"]),
                    format_number(summary["timeout"]),
                    fraction(summary["valid_accepted"], summary["valid_total"]),
                    fraction(summary["invalid_rejected"], summary["invalid_total"]),
                    format_number(summary["compile_p50_ms"], 2),
                    format_number(summary["compile_p99_ms"], 2),
                    format_number(summary["token_p50_us"], 1),
                    format_number(summary["token_p99_us"], 1),
                ]
            )
    return markdown_table(header, rows, align_left_columns=2)
