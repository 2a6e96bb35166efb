"""apply_token_bitmask_inplace on CUDA: the Triton kernel and the plain-torch fallback against
the oracle, over the sizes engines run (batch 1 to 4096, vocab 32k to 256k, float32, float16,
bfloat16), with padding, indices given as a list or as a CUDA int32 tensor (as vLLM passes them),
and non-contiguous logits. Skipped without a CUDA device; bench/gpu_check.sh runs it there.
"""

import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("needs a CUDA device", allow_module_level=True)

from kernel_oracle import expected_masked_logits, random_bitmask  # noqa: E402

import xgrammar as xgr  # noqa: E402

DTYPES = [torch.float32, torch.float16, torch.bfloat16]
SHAPES = [(1, 32000), (7, 50257), (64, 128256), (4096, 32000), (1, 256000), (4096, 256000)]


def backends():
    names = ["torch_native"]
    try:
        import triton  # noqa: F401

        names.append("triton")
    except ImportError:
        pass
    return names


def random_logits(batch, vocab, dtype, seed):
    generator = torch.Generator(device="cuda").manual_seed(seed)
    return torch.randn(batch, vocab, device="cuda", dtype=dtype, generator=generator)


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch,vocab", SHAPES)
def test_masks_exactly_the_disallowed_tokens(backend, dtype, batch, vocab):
    logits = random_logits(batch, vocab, dtype, seed=batch + vocab)
    bitmask = random_bitmask(batch, vocab, torch.Generator().manual_seed(vocab), device="cuda")
    expected = expected_masked_logits(logits, bitmask)
    xgr.apply_token_bitmask_inplace(logits, bitmask, backend=backend)
    assert torch.equal(logits, expected)


def test_auto_uses_a_cuda_backend_and_rejects_a_cpu_bitmask():
    logits = random_logits(2, 32000, torch.float16, seed=1)
    bitmask = random_bitmask(2, 32000, torch.Generator().manual_seed(1))
    with pytest.raises(xgr.InvalidArgumentError, match="same device"):
        xgr.apply_token_bitmask_inplace(logits, bitmask)
    expected = expected_masked_logits(logits, bitmask.cuda())
    xgr.apply_token_bitmask_inplace(logits, bitmask.cuda())
    assert torch.equal(logits, expected)


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("as_tensor", [False, True])
def test_indices_padding_and_a_wider_bitmask(backend, as_tensor):
    logits = random_logits(16, 128256, torch.bfloat16, seed=2)
    bitmask = random_bitmask(20, 128300, torch.Generator().manual_seed(2), device="cuda")
    rows = [15, 3, 8, 0]
    expected = expected_masked_logits(logits, bitmask, vocab_size=128200, rows=rows)
    indices = torch.tensor(rows, dtype=torch.int32, device="cuda") if as_tensor else rows
    xgr.apply_token_bitmask_inplace(
        logits, bitmask, vocab_size=128200, indices=indices, backend=backend
    )
    assert torch.equal(logits, expected)


def test_non_contiguous_logits_fall_back_and_stay_in_place():
    storage = random_logits(32000, 4, torch.float32, seed=3)
    logits = storage.t()
    bitmask = random_bitmask(4, 32000, torch.Generator().manual_seed(3), device="cuda")
    expected = expected_masked_logits(logits.contiguous(), bitmask)
    xgr.apply_token_bitmask_inplace(logits, bitmask)
    assert torch.equal(storage.t(), expected)


def test_one_dimensional_logits():
    logits = random_logits(1, 50257, torch.float16, seed=4)
    bitmask = random_bitmask(1, 50257, torch.Generator().manual_seed(4), device="cuda")
    expected = expected_masked_logits(logits, bitmask)[0]
    flat = logits[0].clone()
    xgr.apply_token_bitmask_inplace(flat, bitmask[0])
    assert torch.equal(flat, expected)
