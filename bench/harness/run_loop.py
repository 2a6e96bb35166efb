"""The loop shared by every benchmark command: items x engines, through workers, into the store.

Entry point: ``run_benchmark(items, engines, store, process_options, timeout_s)``. An item is a
``BenchItem``: a key (its cache key), a subset label, the grammar request and the tokenized
valid and invalid documents. Items run in the given order and, within an item, the engines run
one after the other, so every engine sees the same machine conditions at about the same time
(the host is shared; interleaving keeps slow phases from landing on one engine only). Items an
engine already has in the store are skipped, which is what makes an interrupted run resume.

``jobs`` > 1 runs items in parallel lanes (for machines with idle cores to spare).
``record_from_reply`` turns a worker's reply into the record that report.py reads.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

from bench.harness.engine_process import EngineProcess
from bench.harness.progress import Progress


@dataclass
class BenchItem:
    key: str
    subset: str
    grammar: dict
    valid: list = field(default_factory=list)
    invalid: list = field(default_factory=list)


def record_from_reply(item: BenchItem, reply: dict) -> dict:
    status = reply.get("status", "crash")
    record = {
        "key": item.key,
        "subset": item.subset,
        "status": status,
        "compile_s": reply.get("compile_s"),
        "token_us": reply.get("token_us", []) if status == "ok" else [],
        "valid_total": len(item.valid),
        "invalid_total": len(item.invalid),
        "valid_accepted": 0,
        "invalid_rejected": 0,
        "mask_disagreements": reply.get("mask_disagreements", 0),
    }
    if status == "ok":
        record["valid_accepted"] = sum(1 for result in reply["valid"] if result["accepted"])
        record["invalid_rejected"] = sum(1 for result in reply["invalid"] if not result["accepted"])
        record["valid_refused_at"] = [result["refused_at"] for result in reply["valid"]]
    else:
        record["error"] = reply.get("error", "")[:500]
    return record


def run_benchmark(
    items,
    engines,
    store,
    process_options: dict,
    timeout_s: float,
    make_process=EngineProcess,
    jobs: int = 1,
) -> dict:
    """Runs what the store lacks; returns the engine versions seen (engine -> version).

    ``make_process(engine, **process_options)`` starts a worker; tests pass a fake one.
    ``jobs`` > 1 runs that many lanes side by side, each with its own worker per engine. Only
    use it with at least ``jobs`` idle cores: workers that share a core measure each other.
    """
    pending = {engine: store.done_keys(engine) for engine in engines}
    todo = queue.Queue()
    work = 0
    for item in items:
        missing = [engine for engine in engines if item.key not in pending[engine]]
        if missing:
            todo.put((item, missing))
            work += len(missing)
    versions = {}
    progress = Progress(work, "bench")
    shared = threading.Lock()  # guards the store, the progress bar and ``versions``
    stopping = threading.Event()

    def lane():
        processes = {}
        try:
            while not stopping.is_set():
                try:
                    item, missing = todo.get_nowait()
                except queue.Empty:
                    return
                for engine in missing:
                    if stopping.is_set():
                        return
                    process = processes.get(engine)
                    if process is None:
                        process = processes[engine] = make_process(engine, **process_options)
                    request = {
                        "op": "run",
                        "grammar": item.grammar,
                        "valid": item.valid,
                        "invalid": item.invalid,
                    }
                    started = time.monotonic()
                    reply = process.run(request, timeout_s)
                    record = record_from_reply(item, reply)
                    record["wall_s"] = round(time.monotonic() - started, 3)
                    with shared:
                        if process.engine_version:
                            versions[engine] = process.engine_version
                        store.append(engine, record)
                        progress.advance(f"{engine}: {item.key}")
        finally:
            for process in processes.values():
                process.stop()

    try:
        if jobs <= 1:
            lane()
        else:
            lanes = [threading.Thread(target=lane, daemon=True) for _ in range(jobs)]
            for thread in lanes:
                thread.start()
            for thread in lanes:
                while thread.is_alive():
                    thread.join(0.5)  # a timed join keeps Ctrl-C deliverable
    except KeyboardInterrupt:
        stopping.set()
        raise
    finally:
        progress.close()
    return versions
