#!/usr/bin/env bash
# Runs every atheris harness of tests/fuzz/targets.py for N_MINUTES in total (split evenly),
# each with its own growing corpus under $FUZZ_WORK (default build/fuzz). A crashing input is
# written there as crash-*; copy it to tests/fuzz/regressions/<target>/ so that
# test_fuzz_regressions.py replays it forever.
#
#   tests/fuzz/run_fuzz.sh N_MINUTES          # e.g. 30
#   tests/fuzz/run_fuzz.sh --smoke            # CI: 50 s of fuzzing in total (~80 s wall)
#
# Where atheris is not installed (it has wheels for CPython <= 3.11 on x86_64 only), or with
# FUZZ_DRIVER=random, the targets run under random_driver.py instead: seeded random mutation,
# no coverage guidance, same targets, flags and crash files.
#
# With an AddressSanitizer build (see tests/fuzz/README.md), set XGRAMMAR_ASAN_SITE to its
# install folder and the harnesses run under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes="${1:?usage: run_fuzz.sh N_MINUTES | --smoke}"
if [[ "$minutes" == "--smoke" ]]; then
  total_seconds=50
else
  total_seconds=$(( minutes * 60 ))
fi
python=${PYTHON:-python}
targets=$($python -P -c "import sys; sys.path.insert(0, 'tests'); from fuzz.targets import TARGETS; print(' '.join(TARGETS))")
count=$(wc -w <<<"$targets")
seconds_each=$(( total_seconds / count ))
driver=tests/fuzz/fuzz_main.py
if [[ "${FUZZ_DRIVER:-}" == "random" ]] || ! $python -c "import atheris" 2>/dev/null; then
  driver=tests/fuzz/random_driver.py
fi
echo "fuzzing ${count} targets for ${seconds_each} s each with ${driver}"
work=${FUZZ_WORK:-build/fuzz}
env_prefix=()
if [[ -n "${XGRAMMAR_ASAN_SITE:-}" ]]; then
  env_prefix=(env "PYTHONPATH=$XGRAMMAR_ASAN_SITE"
              "LD_PRELOAD=$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
              "ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1"
              "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
fi
status=0
for target in $targets; do
  mkdir -p "$work/$target/corpus"
  seeds=tests/fuzz/regressions/$target
  mkdir -p "$seeds"
  echo "== $target: ${seconds_each} s"
  "${env_prefix[@]}" $python "$driver" "$target" \
      -max_total_time="$seconds_each" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$work/$target/" "$work/$target/corpus" "$seeds" \
      2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|=== Uncaught|Traceback|[A-Za-z]+Error)" || true
  if compgen -G "$work/$target/crash-*" > /dev/null; then
    echo "!! $target found crashes: $(ls "$work/$target"/crash-*)"
    status=1
  fi
done
exit $status
