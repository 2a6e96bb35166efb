"""The engine-independent half of a benchmark worker: the JSON-lines loop and the measurement.

A worker is a small script run by an engine's own virtual environment (bench/make_venvs.sh). It
reads one JSON request per line on stdin and answers one JSON line on stdout. This file holds
everything that does not depend on the engine, so that every engine is measured by exactly the
same code; each ``*_worker.py`` beside it only adapts one library to ``EngineAdapter`` and calls
``serve(adapter_class)``.

Requests (the parent, bench/harness/engine_process.py, sends them):

* ``{"op": "init", "tokenizer_path", "vocab_size", "stop_token_ids", "memory_limit_mb",
  "options"}`` -> ``{"ok": true, "init_s", "engine_version", "clock_overhead_us"}``. Builds the
  engine's vocabulary once; the memory limit is applied after that (see
  ``apply_memory_limit``). ``options["clock"]`` picks the clock (see ``Stopwatch``).
* ``{"op": "run", "grammar": {...}, "valid": [[token ids]...], "invalid": [[token ids]...]}``
  -> ``{"status": "ok" | "compile_error" | "oom" | "crash", ...}``. ``grammar`` is one of
  ``{"kind": "json_schema", "schema": ...}``, ``{"kind": "ebnf", "text": ...}``,
  ``{"kind": "builtin_json"}``.

How one document is fed (``feed_document``): for every token, time ``fill`` (compute the mask
into an int32 bitmask) plus ``accept`` (advance the matcher); the token is refused when its bit
is clear or ``accept`` says no. After the last token one more mask is filled and timed (a decoder
computes it to let the model stop), and the document is complete when a stop token is allowed
and the adapter agrees that the matcher may end. Per-token times are kept for valid documents
only; invalid ones are fed the same way (so "rejected" means what the mask would enforce) but not
timed in the results.

This file imports only the standard library and numpy, which every engine venv has.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback

import numpy as np


class CompileError(Exception):
    """The engine refused the grammar (unsupported feature, bad input, its own limit)."""


class EngineAdapter:
    """What one engine must provide; subclasses live in the ``*_worker.py`` files.

    ``compile`` returns an opaque compiled grammar (raise ``CompileError`` if the engine
    rejects it); ``new_matcher`` a fresh matcher over it. ``fill`` writes the mask for the
    current state into ``bitmask`` (a C-contiguous int32 numpy vector, bit i of word j is token
    32*j+i). ``accept`` advances by one token and returns False, leaving the state usable or
    not, when the engine refuses it. ``may_end`` says whether the accepted text is complete.
    """

    engine_version = "unknown"

    def __init__(self, tokenizer_path: str, vocab_size: int, stop_token_ids: list, options: dict):
        raise NotImplementedError

    def compile(self, grammar: dict):
        raise NotImplementedError

    def new_matcher(self, compiled):
        raise NotImplementedError

    def fill(self, matcher, bitmask: np.ndarray) -> None:
        raise NotImplementedError

    def accept(self, matcher, token_id: int) -> bool:
        raise NotImplementedError

    def may_end(self, matcher) -> bool:
        raise NotImplementedError


def token_bit_is_set(bitmask: np.ndarray, token_id: int) -> bool:
    return bool((int(bitmask[token_id >> 5]) >> (token_id & 31)) & 1)


class Stopwatch:
    """The clocks a worker measures with, chosen at init, with their call overhead removed.

    ``cpu`` (the default) reads the worker thread's CPU time for per-token intervals and the
    process's CPU time for compiles: time the worker spent descheduled -- on a machine shared
    with other jobs, whole scheduler slices of several milliseconds -- is not the engine's
    cost and is not counted. ``wall`` reads ``time.perf_counter`` for both, which is what a
    caller on an idle machine sees. Reading a clock costs about a microsecond for the CPU clocks,
    a sizeable part of a fast mask, so the median cost of an empty interval, measured once at
    start-up, is subtracted from every interval (never going below zero).

    Nothing in a worker may set RLIMIT_CPU or a CPU-time timer: either arms the kernel's
    process-wide CPU timer, after which the process CPU clock only advances at scheduler ticks
    (4 ms here) and short compiles read as zero. CPU-time deadlines are enforced from the
    parent instead (engine_process.py).
    """

    CALIBRATION_ROUNDS = 2000

    def __init__(self, kind: str = "cpu"):
        if kind not in ("cpu", "wall"):
            raise ValueError(f"unknown clock {kind!r}")
        self.kind = kind
        self.token_clock = time.thread_time if kind == "cpu" else time.perf_counter
        self.compile_clock = time.process_time if kind == "cpu" else time.perf_counter
        self.token_overhead_s = self.empty_interval_s(self.token_clock)
        self.compile_overhead_s = self.empty_interval_s(self.compile_clock)

    @classmethod
    def empty_interval_s(cls, clock) -> float:
        gaps = []
        for _ in range(cls.CALIBRATION_ROUNDS):
            start = clock()
            gaps.append(clock() - start)
        gaps.sort()
        return gaps[len(gaps) // 2]


def feed_document(adapter, compiled, token_ids, stop_token_ids, bitmask, timings_us, stopwatch):
    """Feeds one tokenized document; appends per-token times (µs) to ``timings_us``.

    Returns ``(accepted, refused_at, mask_disagreements)``: ``refused_at`` is the index of the
    first refused token, ``len(token_ids)`` when the end was refused, or None when accepted.
    A disagreement is a token whose mask bit and ``accept`` answer differ (a bug in one of them).
    """
    matcher = adapter.new_matcher(compiled)
    disagreements = 0
    clock = stopwatch.token_clock
    overhead = stopwatch.token_overhead_s
    for position, token_id in enumerate(token_ids):
        start = clock()
        adapter.fill(matcher, bitmask)
        filled = clock()
        allowed_by_mask = token_bit_is_set(bitmask, token_id)
        before_accept = clock()
        accepted = adapter.accept(matcher, token_id)
        done = clock()
        elapsed = (filled - start - overhead) + (done - before_accept - overhead)
        timings_us.append(max(elapsed, 0.0) * 1e6)
        if allowed_by_mask != accepted:
            disagreements += 1
        if not (allowed_by_mask and accepted):
            return False, position, disagreements
    start = clock()
    adapter.fill(matcher, bitmask)
    timings_us.append(max(clock() - start - overhead, 0.0) * 1e6)
    stop_allowed = any(token_bit_is_set(bitmask, stop) for stop in stop_token_ids)
    if stop_allowed and adapter.may_end(matcher):
        return True, None, disagreements
    return False, len(token_ids), disagreements


def run_request(adapter, request, stop_token_ids, bitmask, stopwatch):
    start = stopwatch.compile_clock()
    try:
        compiled = adapter.compile(request["grammar"])
    except CompileError as error:
        return {"status": "compile_error", "error": str(error)[:500]}
    except MemoryError:
        raise
    except Exception as error:
        # Any exception out of a compile is the engine refusing the grammar (each library has
        # its own exception types); only a dead worker counts as a crash.
        return {"status": "compile_error", "error": f"{type(error).__name__}: {error}"[:500]}
    compile_s = max(stopwatch.compile_clock() - start - stopwatch.compile_overhead_s, 0.0)

    token_us: list = []
    valid_results = []
    disagreements = 0
    for token_ids in request.get("valid", []):
        accepted, refused_at, bad = feed_document(
            adapter, compiled, token_ids, stop_token_ids, bitmask, token_us, stopwatch
        )
        valid_results.append({"accepted": accepted, "refused_at": refused_at})
        disagreements += bad
    invalid_results = []
    discarded_us: list = []
    for token_ids in request.get("invalid", []):
        accepted, refused_at, bad = feed_document(
            adapter, compiled, token_ids, stop_token_ids, bitmask, discarded_us, stopwatch
        )
        invalid_results.append({"accepted": accepted, "refused_at": refused_at})
        disagreements += bad
    return {
        "status": "ok",
        "compile_s": compile_s,
        # One decimal of a microsecond is far below timer noise and keeps the cache small.
        "token_us": [round(t, 1) for t in token_us],
        "valid": valid_results,
        "invalid": invalid_results,
        "mask_disagreements": disagreements,
    }


def current_address_space_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def apply_memory_limit(limit_mb: int) -> None:
    """Caps the worker's address space at what it uses after init plus ``limit_mb``.

    An absolute RLIMIT_AS would be unfair across engines: importing torch alone reserves
    gigabytes of address space that are never touched. Measuring from the post-init size gives
    every engine the same headroom for compiling and matching.
    """
    if limit_mb <= 0:
        return
    cap = current_address_space_bytes() + limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def serve(adapter_class) -> None:
    """Runs the request loop on stdin/stdout until stdin closes."""
    # Libraries may print to stdout; keep the protocol on a private copy of the descriptor and
    # send everything else to stderr (which the parent writes to a log file).
    protocol_out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    adapter = None
    stop_token_ids: list = []
    bitmask = None
    stopwatch = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "init":
                start = time.perf_counter()
                stop_token_ids = request["stop_token_ids"]
                adapter = adapter_class(
                    request["tokenizer_path"],
                    request["vocab_size"],
                    stop_token_ids,
                    request.get("options", {}),
                )
                bitmask = np.zeros((request["vocab_size"] + 31) // 32, dtype=np.int32)
                stopwatch = Stopwatch(request.get("options", {}).get("clock", "cpu"))
                apply_memory_limit(request.get("memory_limit_mb", 0))
                reply = {
                    "ok": True,
                    "init_s": time.perf_counter() - start,
                    "engine_version": adapter.engine_version,
                    "clock_overhead_us": stopwatch.token_overhead_s * 1e6,
                }
            elif request["op"] == "run":
                reply = run_request(adapter, request, stop_token_ids, bitmask, stopwatch)
            else:
                reply = {"status": "crash", "error": f"unknown op {request['op']!r}"}
        except MemoryError:
            reply = {"status": "oom", "error": "MemoryError"}
        except Exception as error:  # an engine bug while matching: reported, not hidden
            traceback.print_exc(file=sys.stderr)
            reply = {"status": "crash", "error": f"{type(error).__name__}: {error}"[:500]}
        protocol_out.write(json.dumps(reply) + "\n")
