"""Benchmark apply_token_bitmask_inplace: ours against upstream XGrammar 0.2.8's, same run.

Usage::

    python bench/bench_kernels.py --device cuda            # or --device cpu
    python bench/bench_kernels.py --device cpu --batches 1,16 --vocabs 128256 --dtypes float32

Both packages are called ``xgrammar``, so ours is loaded from the source tree under the alias
``xgrammar_ours`` (only its pure-Python ``kernels`` and ``exceptions`` modules, no compiled
core), while ``import xgrammar`` must resolve to an installed upstream 0.2.8 (put it on
PYTHONPATH); without upstream only ours is measured. Two mask shapes are timed: "sparse" (each
row allows a handful of tokens, the common grammar state) and "random" (half the bits set).
Prints p50 / p99 / max per case in microseconds (CUDA events on a GPU, perf_counter on a CPU).
"""

import argparse
import importlib
import os
import statistics
import sys
import types

import torch

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_our_kernels(package_directory):
    """Import <package_directory>/kernels as xgrammar_ours.kernels without its __init__.

    Returns (apply_token_bitmask_inplace, the numpy-path function or None). Point
    ``package_directory`` at an installed copy of our package to include its compiled C++ CPU
    kernel (the source tree has no ``_core``, so "ours" is then the numpy path)."""
    package = types.ModuleType("xgrammar_ours")
    package.__path__ = [package_directory]
    sys.modules["xgrammar_ours"] = package
    kernels = importlib.import_module("xgrammar_ours.kernels")
    cpu = importlib.import_module("xgrammar_ours.kernels.cpu")
    arguments = importlib.import_module("xgrammar_ours.kernels.arguments")

    def numpy_path(logits, bitmask):
        cpu.apply_on_cpu(arguments.normalize_arguments(logits, bitmask, None, None), native=False)

    return kernels.apply_token_bitmask_inplace, (numpy_path if cpu.has_native_kernel() else None)


def load_upstream_kernel():
    try:
        import xgrammar
    except ImportError:
        return None, "not installed"
    if os.path.abspath(xgrammar.__file__).startswith(REPOSITORY):
        return None, "the xgrammar on the path is this repository's"
    from importlib.metadata import version

    return xgrammar.apply_token_bitmask_inplace, f"upstream xgrammar {version('xgrammar')}"


def make_bitmask(batch, vocab, shape, device):
    words = (vocab + 31) // 32
    generator = torch.Generator().manual_seed(batch * 7 + vocab)
    if shape == "random":
        bitmask = torch.randint(-(2**31), 2**31 - 1, (batch, words), dtype=torch.int32,
                                generator=generator)  # fmt: skip
    else:
        bitmask = torch.zeros(batch, words, dtype=torch.int32)
        bitmask[:, :4] = 0x0F0F0F0F  # a few dozen allowed tokens at the front
        bitmask[:, -1] = 1
    return bitmask.to(device)


def time_calls(function, logits_source, device, repeats):
    """Per-call times in microseconds; the logits are refreshed outside the timed region."""
    logits = logits_source.clone()
    for _ in range(3):  # warm up (Triton compiles on its first call)
        logits.copy_(logits_source)
        function(logits)
    times = []
    for _ in range(repeats):
        logits.copy_(logits_source)
        if device == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            function(logits)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) * 1e3)
        else:
            import time

            started = time.perf_counter()
            function(logits)
            times.append((time.perf_counter() - started) * 1e6)
    return times


def describe(times):
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"{statistics.median(ordered):10.1f} {p99:10.1f} {ordered[-1]:10.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batches", default="1,64,4096")
    parser.add_argument("--vocabs", default="128256")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--shapes", default="sparse,random")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--ours", default=os.path.join(REPOSITORY, "xgrammar"))
    arguments = parser.parse_args(argv)

    ours, ours_numpy = load_our_kernels(arguments.ours)
    upstream, upstream_name = load_upstream_kernel()
    device = arguments.device
    print(f"device: {torch.cuda.get_device_name() if device == 'cuda' else 'cpu'}; "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads); peer: {upstream_name}; "
          f"ours-np: our numpy path (when ours has the C++ kernel)")  # fmt: skip
    print(f"{'impl':>9} {'batch':>6} {'vocab':>7} {'dtype':>9} {'mask':>7} "
          f"{'p50 us':>10} {'p99 us':>10} {'max us':>10}")  # fmt: skip
    for vocab in map(int, arguments.vocabs.split(",")):
        for batch in map(int, arguments.batches.split(",")):
            for dtype_name in arguments.dtypes.split(","):
                dtype = getattr(torch, dtype_name)
                source = torch.randn(batch, vocab, dtype=dtype, device=device)
                for shape in arguments.shapes.split(","):
                    bitmask = make_bitmask(batch, vocab, shape, device)
                    cases = [("ours", ours)]
                    if ours_numpy is not None and device == "cpu":
                        cases.append(("ours-np", ours_numpy))
                    if upstream is not None:
                        cases.append(("upstream", upstream))
                    results = {}
                    for name, kernel in cases:
                        times = time_calls(lambda x, k=kernel, b=bitmask: k(x, b), source, device,
                                           arguments.repeats)  # fmt: skip
                        check = source.clone()
                        kernel(check, bitmask)
                        results[name] = check
                        print(f"{name:>9} {batch:>6} {vocab:>7} {dtype_name:>9} {shape:>7} "
                              f"{describe(times)}", flush=True)  # fmt: skip
                    if "upstream" in results:
                        assert torch.equal(results["ours"], results["upstream"]), "outputs differ"
                    del results
                del source
                if device == "cuda":
                    torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
