"""apply_token_bitmask_inplace and the bitmask helpers on CPU, checked against an oracle.

Every CPU path (the C++ kernel, the vectorised numpy path, the plain-torch fallback) must set
exactly the disallowed logits to -inf and leave everything else bit-identical, for the shapes
engines use: padded vocabularies, bitmasks narrower or wider than the logits, row subsets
(indices), 1-D inputs, non-contiguous logits, and batches large enough to be processed in
chunks. The Triton kernel is checked here too, through Triton's CPU interpreter, when Triton is
installed; the CUDA runs live in test_kernels_cuda.py.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kernel_oracle import expected_masked_logits, random_bitmask  # noqa: E402

import xgrammar as xgr  # noqa: E402
from xgrammar.exceptions import InvalidArgumentError  # noqa: E402
from xgrammar.kernels import cpu as cpu_kernel  # noqa: E402
from xgrammar.kernels import torch_native  # noqa: E402
from xgrammar.kernels.arguments import normalize_arguments  # noqa: E402

DTYPES = [torch.float32, torch.float16, torch.bfloat16]
# "cpu" is the C++ kernel when the build has it; "cpu-numpy" forces the vectorised numpy path.
TORCH_BACKENDS = ["auto", "cpu", "cpu-numpy", "torch_native"]


def apply(logits, bitmask, backend, vocab_size=None, indices=None):
    if backend == "cpu-numpy":
        application = normalize_arguments(logits, bitmask, vocab_size, indices)
        cpu_kernel.apply_on_cpu(application, native=False)
    else:
        xgr.apply_token_bitmask_inplace(
            logits, bitmask, vocab_size=vocab_size, indices=indices, backend=backend
        )


def make_logits(batch, vocab, dtype, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, vocab, generator=generator).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("backend", ["cpu", "cpu-numpy", "torch_native"])  # "auto" is "cpu"
@pytest.mark.parametrize("batch,vocab", [(1, 32000), (5, 50257), (2, 128256), (1, 256000)])
def test_masks_exactly_the_disallowed_tokens(dtype, backend, batch, vocab):
    generator = torch.Generator().manual_seed(batch * vocab)
    logits = make_logits(batch, vocab, dtype, seed=vocab)
    bitmask = random_bitmask(batch, vocab, generator)
    expected = expected_masked_logits(logits, bitmask)
    apply(logits, bitmask, backend)
    assert torch.equal(logits, expected)


@pytest.mark.parametrize("backend", TORCH_BACKENDS)
def test_padded_vocab_masks_only_the_real_tokens(backend):
    # The model's vocabulary is padded past the tokenizer's: the padding is left alone when the
    # caller passes the real vocab_size.
    generator = torch.Generator().manual_seed(1)
    logits = make_logits(3, 32064, torch.float32, seed=1)
    bitmask = random_bitmask(3, 32064, generator)
    expected = expected_masked_logits(logits, bitmask, vocab_size=32003)
    apply(logits, bitmask, backend, vocab_size=32003)
    assert torch.equal(logits, expected)


@pytest.mark.parametrize("backend", TORCH_BACKENDS)
def test_narrow_bitmask_leaves_the_uncovered_logits_and_warns(backend):
    generator = torch.Generator().manual_seed(2)
    logits = make_logits(2, 1000, torch.float32, seed=2)
    bitmask = random_bitmask(2, 900, generator)  # covers 29 * 32 = 928 tokens
    expected = expected_masked_logits(logits, bitmask)
    with pytest.warns(UserWarning, match="covers 928 tokens"):
        apply(logits, bitmask, backend)
    assert torch.equal(logits, expected)
    assert torch.isfinite(logits[:, 928:]).all()


@pytest.mark.parametrize("backend", TORCH_BACKENDS)
def test_wide_bitmask_masks_the_whole_logits_row(backend):
    generator = torch.Generator().manual_seed(3)
    logits = make_logits(2, 1000, torch.float16, seed=3)
    bitmask = random_bitmask(2, 1200, generator)
    expected = expected_masked_logits(logits, bitmask)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a wider bitmask is normal: no warning
        apply(logits, bitmask, backend)
    assert torch.equal(logits, expected)


@pytest.mark.parametrize("backend", TORCH_BACKENDS)
@pytest.mark.parametrize("as_tensor", [False, True])
def test_indices_mask_only_the_listed_rows(backend, as_tensor):
    generator = torch.Generator().manual_seed(4)
    logits = make_logits(6, 4100, torch.bfloat16, seed=4)
    bitmask = random_bitmask(8, 4100, generator)  # more bitmask rows than logits: allowed
    rows = [4, 0, 2]
    expected = expected_masked_logits(logits, bitmask, rows=rows)
    indices = torch.tensor(rows, dtype=torch.int32) if as_tensor else rows
    apply(logits, bitmask, backend, indices=indices)
    assert torch.equal(logits, expected)


@pytest.mark.parametrize("backend", TORCH_BACKENDS)
def test_one_dimensional_logits_and_bitmask(backend):
    generator = torch.Generator().manual_seed(5)
    logits = make_logits(1, 3000, torch.float32, seed=5)
    bitmask = random_bitmask(1, 3000, generator)
    expected = expected_masked_logits(logits, bitmask)[0]
    flat = logits[0].clone()
    apply(flat, bitmask[0], backend)
    assert torch.equal(flat, expected)


@pytest.mark.parametrize("backend", TORCH_BACKENDS)
def test_non_contiguous_logits_are_written_in_place(backend):
    generator = torch.Generator().manual_seed(6)
    storage = make_logits(2000, 4, torch.float32, seed=6)
    logits = storage.t()  # (4, 2000) with a column stride of 4
    bitmask = random_bitmask(4, 2000, generator)
    expected = expected_masked_logits(logits.contiguous(), bitmask)
    apply(logits, bitmask, backend)
    assert torch.equal(storage.t(), expected)


@pytest.mark.parametrize("backend", ["cpu", "cpu-numpy", "torch_native"])
def test_large_batches_are_processed_in_bounded_chunks(backend, monkeypatch):
    module = torch_native if backend == "torch_native" else cpu_kernel
    monkeypatch.setattr(module, "UNPACKED_TOKENS_PER_CHUNK", 100 * 2048)
    generator = torch.Generator().manual_seed(7)
    logits = make_logits(4096, 2048, torch.float16, seed=7)
    bitmask = random_bitmask(4096, 2048, generator)
    rows = list(range(4095, -1, -3))
    expected = expected_masked_logits(logits, bitmask, rows=rows)
    apply(logits, bitmask, backend, indices=rows)
    assert torch.equal(logits, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_numpy_arrays(dtype):
    generator = torch.Generator().manual_seed(8)
    logits = make_logits(3, 50257, torch.float32, seed=8)
    bitmask = random_bitmask(3, 50257, generator)
    expected = expected_masked_logits(
        logits.to(torch.float16 if dtype == np.float16 else torch.float32), bitmask, rows=[0, 2]
    )
    array = logits.numpy().astype(dtype)
    xgr.apply_token_bitmask_inplace(array, bitmask.numpy(), indices=[0, 2])
    assert np.array_equal(array, expected.float().numpy().astype(dtype))


def test_masked_logits_sample_only_allowed_tokens():
    # The property a decoder relies on: after masking, argmax and softmax only see allowed ids.
    vocab = 50257
    bitmask = xgr.allocate_token_bitmask(1, vocab)
    bitmask.zero_()
    allowed = [17, 31, 32, 50256]
    for token in allowed:
        bitmask[0, token // 32] |= torch.tensor(1 << (token % 32)).to(torch.int32)
    logits = make_logits(1, vocab, torch.float32, seed=9)
    xgr.apply_token_bitmask_inplace(logits, bitmask)
    probabilities = torch.softmax(logits, dim=-1)[0]
    assert set(torch.nonzero(probabilities).flatten().tolist()) == set(allowed)


def test_bitmask_helpers_follow_upstream():
    assert xgr.get_bitmask_shape(3, 32000) == (3, 1000)
    assert xgr.get_bitmask_shape(2, 32001) == (2, 1001)
    assert xgr.bitmask_dtype == torch.int32
    bitmask = xgr.allocate_token_bitmask(2, 100)
    assert bitmask.shape == (2, 4) and bitmask.dtype == torch.int32
    assert (bitmask == -1).all()
    bitmask.zero_()
    xgr.reset_token_bitmask(bitmask)
    assert (bitmask == -1).all()
    array = np.zeros((1, 4), dtype=np.int32)
    xgr.reset_token_bitmask(array)
    assert (array == -1).all()


@pytest.mark.parametrize(
    "logits,bitmask,kwargs,message",
    [
        (torch.zeros(2, 64), torch.zeros(2, 2, dtype=torch.int64), {}, "int32"),
        (torch.zeros(2, 64, dtype=torch.int32), torch.zeros(2, 2, dtype=torch.int32), {}, "float"),
        (torch.zeros(2, 64), torch.zeros(1, 2, dtype=torch.int32), {}, "indices"),
        (torch.zeros(2, 64), torch.zeros(2, 2, dtype=torch.int32), {"vocab_size": 65}, "outside"),
        (torch.zeros(2, 64), torch.zeros(2, 2, dtype=torch.int32), {"indices": [2]}, "outside"),
        (torch.zeros(2, 2, 8), torch.zeros(2, 2, dtype=torch.int32), {}, "1-D or 2-D"),
        (torch.zeros(2, 64), np.zeros((2, 2), dtype=np.int32), {}, "both"),
        (torch.zeros(2, 64), torch.zeros(2, 2, dtype=torch.int32), {"backend": "tpu"}, "unknown"),
        (torch.zeros(2, 64), torch.zeros(2, 2, dtype=torch.int32), {"backend": "cuda"}, "CUDA"),
    ],
)
def test_bad_arguments_raise_invalid_argument_error(logits, bitmask, kwargs, message):
    before = logits.clone()
    with pytest.raises(InvalidArgumentError, match=message):
        xgr.apply_token_bitmask_inplace(logits, bitmask, **kwargs)
    assert torch.equal(logits, before)


_TRITON_INTERPRETER_CHECK = """
import torch
from xgrammar.kernels.arguments import normalize_arguments
from xgrammar.kernels.triton_kernel import apply_with_triton
from kernel_oracle import expected_masked_logits, random_bitmask

generator = torch.Generator().manual_seed(0)
for dtype in (torch.float32, torch.float16, torch.bfloat16):
    for batch, vocab, vocab_size, rows in [(2, 4200, None, None), (4, 4500, 4321, [3, 1])]:
        logits = torch.randn(batch, vocab, generator=generator).to(dtype)
        bitmask = random_bitmask(batch, vocab + 70, generator)
        expected = expected_masked_logits(logits, bitmask, vocab_size, rows)
        apply_with_triton(normalize_arguments(logits, bitmask, vocab_size, rows))
        assert torch.equal(logits, expected), (dtype, batch, vocab)
print("triton interpreter: ok")
"""


def test_triton_kernel_under_the_triton_interpreter():
    pytest.importorskip("triton")
    # Run from tests/ so that the installed package (not the source tree) and the oracle import.
    result = subprocess.run(
        [sys.executable, "-c", _TRITON_INTERPRETER_CHECK],
        env=dict(os.environ, TRITON_INTERPRET="1"),
        cwd=os.path.dirname(os.path.abspath(__file__)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "triton interpreter: ok" in result.stdout
