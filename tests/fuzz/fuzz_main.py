"""atheris driver: `python tests/fuzz/fuzz_main.py TARGET [libFuzzer flags] [CORPUS_DIR ...]`.

TARGET is a key of targets.TARGETS. The fuzzing limits (targets.FUZZ_LIMITS) are set first so
that no single input can run for seconds. Python code of xgrammar is coverage-instrumented;
the C++ extension is not (gcc has no libFuzzer instrumentation), so native coverage does not
guide the search -- the AddressSanitizer build (see README.md) still catches memory errors.
Saved regression inputs of the target seed the corpus.
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Only xgrammar's own modules, the targets and lark (whose parser reads the `lark` target's
# grammars) are instrumented: the import hook stays active, and torch, which xgrammar imports
# lazily, took minutes to instrument.
with atheris.instrument_imports(include=["xgrammar", "fuzz", "lark"]):
    import xgrammar.config
    from fuzz.targets import FUZZ_LIMITS, TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz_main.py {{{','.join(TARGETS)}}} [libFuzzer flags]")
    target = TARGETS[sys.argv[1]]
    xgrammar.config.set_limits(**FUZZ_LIMITS)
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
