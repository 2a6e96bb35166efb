"""The README's first command: offline grammar-constrained JSON from a tiny random Llama.

    pip install torch==2.13.0 && pip install ".[demo]" && python examples/demo.py

Thin entry point; the demo lives in the package (xgrammar/demo.py, also runnable as
``python -m xgrammar.demo``) so that the tests can run it too. Options: --seed, --batch,
--temperature, --top-p, --max-new-tokens.
"""

import sys

from xgrammar.demo import main

if __name__ == "__main__":
    sys.exit(main())
