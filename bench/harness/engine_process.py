"""Parent side of the worker protocol: one engine's worker subprocess, with deadlines.

``EngineProcess(engine, ...)`` starts ``bench/engines/<kind>_worker.py`` with the interpreter of
``bench/.venvs/<engine>/`` (so upstream xgrammar and this repository's package, which share a
name, never meet), sends the init request, and then answers ``run(request, timeout_s)`` with the
worker's reply. A request that overruns its deadline is killed (with its process group) and
reported as ``{"status": "timeout"}``. With the default CPU clock the deadline is CPU time, which
the parent reads from /proc while it waits, and elapsed time is only a backstop; with the wall
clock it is elapsed time. A worker that dies (a segfault, an abort, the kernel's OOM killer, a
failed allocation under the address-space limit) reports ``crash`` or ``oom``. In every case the
next ``run`` starts a fresh worker first, so one bad schema never poisons the next.

Workers are single-threaded: thread-count variables are pinned to 1 in their environment and the
xgrammar worker asks for ``max_threads=1``. Their stderr goes to ``<log_dir>/<engine>.log``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
ENGINES_DIR = BENCH_DIR / "engines"
DEFAULT_VENVS_DIR = BENCH_DIR / ".venvs"

# Engine name -> worker script stem. "ours" and "upstream" share the xgrammar-API worker.
WORKER_OF_ENGINE = {
    "ours": "xgrammar",
    "upstream": "xgrammar",
    "llguidance": "llguidance",
    "outlines": "outlines",
}

# Building a vocabulary (and importing torch for upstream) takes seconds; on a machine shared
# with other jobs it can take much longer, so init gets its own generous deadline.
INIT_TIMEOUT_S = 300.0

SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

# With CPU-time timeouts, how much longer than the CPU limit a request may take in elapsed
# time before it is killed anyway: on a host shared by many jobs a worker gets a fraction of a
# core, and a worker blocked without burning CPU must still be stopped.
WALL_BACKSTOP_FACTOR = 5

# How often the parent reads a busy worker's CPU time to enforce a CPU-time timeout. The worker
# must not limit itself (see worker_protocol.Stopwatch), so a timeout lands up to this late.
CPU_POLL_INTERVAL_S = 0.25
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")

# Words in a dying worker's stderr that mean it ran out of memory rather than crashed.
OUT_OF_MEMORY_MARKERS = ("MemoryError", "bad_alloc", "memory allocation of", "Cannot allocate")


class WorkerStartError(RuntimeError):
    """The worker could not be started or initialised (missing venv, import error, ...)."""


def parse_engine_list(text: str) -> list[str]:
    """The engines of a comma-separated `--engines` value; exits naming any unknown one."""
    engines = [engine.strip() for engine in text.split(",") if engine.strip()]
    unknown = [engine for engine in engines if engine not in WORKER_OF_ENGINE]
    if unknown:
        raise SystemExit(f"unknown engines {unknown}; known: {list(WORKER_OF_ENGINE)}")
    return engines


def venv_python(engine: str, venvs_dir: Path) -> Path:
    return Path(venvs_dir) / engine / "bin" / "python"


class EngineProcess:
    def __init__(
        self,
        engine: str,
        *,
        tokenizer_path: str,
        vocab_size: int,
        stop_token_ids: list,
        memory_limit_mb: int,
        options: dict,
        log_dir: Path,
        venvs_dir: Path = DEFAULT_VENVS_DIR,
        worker_script: Path = None,
    ):
        if worker_script is None:
            if engine not in WORKER_OF_ENGINE:
                raise ValueError(f"unknown engine {engine!r}; known: {sorted(WORKER_OF_ENGINE)}")
            worker_script = ENGINES_DIR / f"{WORKER_OF_ENGINE[engine]}_worker.py"
        self.engine = engine
        self.python = venv_python(engine, venvs_dir)
        if not self.python.exists():
            raise WorkerStartError(
                f"{self.python} is missing: create it with `bash bench/make_venvs.sh {engine}`"
            )
        self.script = Path(worker_script)
        self.init_request = {
            "op": "init",
            "tokenizer_path": str(Path(tokenizer_path).resolve()),
            "vocab_size": vocab_size,
            "stop_token_ids": list(stop_token_ids),
            "memory_limit_mb": memory_limit_mb,
            "options": options,
        }
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{engine}.log"
        self.process = None
        self.engine_version = None
        self.pending = b""
        self.restarts = 0
        self.wall_backstop_factor = WALL_BACKSTOP_FACTOR

    # -- lifetime -----------------------------------------------------------------------------

    def start(self) -> None:
        log = open(self.log_path, "ab")
        environment = dict(os.environ, **SINGLE_THREAD_ENV)
        # Never let the repository root shadow the venv's own package: the script's folder
        # (bench/engines) is what Python puts first on sys.path, and cwd is the engines folder.
        environment.pop("PYTHONPATH", None)
        self.process = subprocess.Popen(
            [str(self.python), str(self.script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=str(ENGINES_DIR),
            env=environment,
            start_new_session=True,  # its own process group, so a kill takes its children too
        )
        log.close()
        self.pending = b""
        reply = self._exchange(self.init_request, INIT_TIMEOUT_S)
        if not reply.get("ok"):
            self.stop()
            raise WorkerStartError(
                f"{self.engine} worker failed to start: {reply}; see {self.log_path}"
            )
        self.engine_version = reply.get("engine_version")
        source_commit = self.python.parent.parent / "source-commit"  # written by make_venvs.sh
        if source_commit.exists():
            self.engine_version += f" (commit {source_commit.read_text().strip()})"

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.process = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # -- requests -----------------------------------------------------------------------------

    def run(self, request: dict, timeout_s: float) -> dict:
        """Sends one ``run`` request; always returns a reply dict with a ``status``.

        With the CPU clock the timeout is CPU time, enforced by the worker's kernel limit, and
        elapsed time gets ``WALL_BACKSTOP_FACTOR`` times as much (for a worker stuck without
        using CPU); with the wall clock the timeout is elapsed time.
        """
        if self.process is None:
            self.start()
        if self.init_request["options"].get("clock", "cpu") == "cpu":
            cpu_timeout_s = timeout_s
            wall_timeout_s = timeout_s * self.wall_backstop_factor
        else:
            cpu_timeout_s = None
            wall_timeout_s = timeout_s
        reply = self._exchange(request, wall_timeout_s, cpu_timeout_s)
        if reply.get("status") in ("timeout", "crash", "oom"):
            # Even a worker that survived (a caught MemoryError or exception) may hold broken
            # engine state; the next request gets a fresh one.
            self.stop()
            self.restarts += 1
        return reply

    def _exchange(self, request: dict, timeout_s: float, cpu_timeout_s=None) -> dict:
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._death_reply()
        deadline = time.monotonic() + timeout_s
        cpu_start_s = self._worker_cpu_s() if cpu_timeout_s else 0.0
        while b"\n" not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                return {"status": "timeout", "error": f"no answer within {timeout_s:g} s"}
            if cpu_timeout_s and self._worker_cpu_s() - cpu_start_s > cpu_timeout_s:
                self.stop()
                return {"status": "timeout", "error": "CPU-time limit reached"}
            wait_s = min(remaining, CPU_POLL_INTERVAL_S) if cpu_timeout_s else remaining
            ready, _, _ = select.select([self.process.stdout], [], [], wait_s)
            if not ready:
                continue
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                return self._death_reply()
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line)

    def _worker_cpu_s(self) -> float:
        """User + system CPU seconds of the worker process, all threads, from /proc."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                # The command name (field 2) may hold spaces; fields after it are plain numbers.
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            return 0.0
        user_ticks, system_ticks = int(fields[11]), int(fields[12])
        return (user_ticks + system_ticks) / CLOCK_TICKS_PER_S

    def _death_reply(self) -> dict:
        self.process.wait()
        code = self.process.returncode
        tail = self._log_tail()
        status = "oom" if any(marker in tail for marker in OUT_OF_MEMORY_MARKERS) else "crash"
        if code is not None and code < 0:
            how = f"killed by signal {signal.Signals(-code).name}"
        else:
            how = f"exit code {code}"
        self.stop()
        return {"status": status, "error": f"worker died ({how}): {tail[-300:]}"}

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                size = log.tell()
                log.seek(max(0, size - 2000))
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""
