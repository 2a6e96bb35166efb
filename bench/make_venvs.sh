#!/usr/bin/env bash
# Creates one virtual environment per engine under bench/.venvs/ (gitignored), so that
# upstream xgrammar 0.2.8 -- which has our package's name -- and the other peers never share an
# interpreter with this repository's package. Entry point: `bash bench/make_venvs.sh [ENGINE...]`
# with ENGINE among ours, upstream, llguidance, outlines (default: all four).
#
# Versions are pinned so that two runs of the benchmark compare the same peers. torch is only
# ever installed as the pinned CPU build: an unpinned torch would pull a multi-GB CUDA build.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venvs_dir="${repo_root}/bench/.venvs"
python_bin="${PYTHON:-python3}"

TORCH_PIN="torch==2.13.0"
TOKENIZERS_PIN="tokenizers==0.23.3"
NUMPY_PIN="numpy>=1.24"
# The micro-benchmarks (bench/micro) run inside the two venvs with XGrammar's API.
MICRO_BENCH_DEPS=("pytest>=7" "pytest-benchmark>=4")

make_venv() {
  local name="$1"
  shift
  local dir="${venvs_dir}/${name}"
  echo "== ${name}: ${dir}" >&2
  rm -rf "${dir}"
  "${python_bin}" -m venv "${dir}"
  "${dir}/bin/pip" install -q --upgrade pip >/dev/null
  "${dir}/bin/pip" install -q "$@"
}

install_upstream() {
  # xgrammar 0.2.8 declares triton as a dependency for its GPU kernels; the benchmark runs on
  # CPU only, so its other dependencies are installed explicitly and triton is left out.
  make_venv upstream "${TORCH_PIN}" "${TOKENIZERS_PIN}" "${NUMPY_PIN}" \
    "transformers>=4.38.0" pydantic "typing-extensions>=4.9.0" "apache-tvm-ffi>=0.1.11" \
    "${MICRO_BENCH_DEPS[@]}"
  "${venvs_dir}/upstream/bin/pip" install -q --no-deps "xgrammar==0.2.8"
}

install_llguidance() {
  make_venv llguidance "llguidance==1.9.1" "${TOKENIZERS_PIN}" "${NUMPY_PIN}"
}

install_outlines() {
  make_venv outlines "outlines-core==0.2.14" "${TOKENIZERS_PIN}" "${NUMPY_PIN}"
}

install_ours() {
  # A regular (non-editable) install of this checkout: the benchmark measures what users get.
  make_venv ours "${TOKENIZERS_PIN}" "${NUMPY_PIN}" "${MICRO_BENCH_DEPS[@]}"
  "${venvs_dir}/ours/bin/pip" install -q "${repo_root}"
  # Which code was measured: the runners append this to ours' version in their reports.
  git -C "${repo_root}" describe --always --dirty >"${venvs_dir}/ours/source-commit" || true
}

engines=("$@")
if [ ${#engines[@]} -eq 0 ]; then
  engines=(upstream llguidance outlines ours)
fi
mkdir -p "${venvs_dir}"
for engine in "${engines[@]}"; do
  case "${engine}" in
    upstream) install_upstream ;;
    llguidance) install_llguidance ;;
    outlines) install_outlines ;;
    ours) install_ours ;;
    *)
      echo "unknown engine: ${engine} (expected ours, upstream, llguidance, outlines)" >&2
      exit 2
      ;;
  esac
done
echo "venvs ready under ${venvs_dir}" >&2
