"""The included decode loop: batched grammar-constrained generation with the mask off the
critical path.

Entry point: ``generate(model, compiled_grammars, prompts, ...) -> GenerationResult``.

One step, for every row still running:

1. a worker thread fills the bitmask for the matchers' current state
   (``BatchGrammarMatcher.batch_fill_next_token_bitmask``, which releases the GIL) while the
   main thread runs the model forward on the tokens accepted last step; both only need what was
   accepted last step, so they overlap (the paper's "overlap with the GPU");
2. the bitmask is copied to the model's device and applied to the logits
   (``apply_token_bitmask_inplace``), and a token is sampled (greedy, temperature, top-p);
3. the token is accepted by the row's matcher; a row whose matcher terminates (it accepted a
   stop token) is finished; otherwise forced text (``find_jump_forward_string``) is tokenized
   and accepted as well, so it is fed to the model in the next forward without sampling.

A row without a grammar (``None``) decodes unconstrained and stops at a stop token; with no
grammar at all the loop gives the baseline step time the grammar's overhead is measured
against. ``DecodeStats`` reports where the time went: forward, mask fill, the part of the mask
fill the forward did not hide (``mask_wait_seconds``), and the whole step.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Union

import xgrammar as xgr

from ..exceptions import InvalidArgumentError, XGrammarError
from .models import as_logits_model
from .sampling import SamplingParams, sample_next_tokens

__all__ = ["DecodeStats", "GenerationResult", "generate"]

#: Upper bound on forced tokens fed after one sampled token: forced text can be long (a whole
#: fixed JSON key), but the model is fed it in one chunk, so cap the chunk.
MAX_FORCED_TOKENS_PER_STEP = 64


@dataclass
class DecodeStats:
    """Where one ``generate`` run spent its time (seconds, summed over steps)."""

    steps: int = 0
    sampled_tokens: int = 0
    forced_tokens: int = 0
    prefill_seconds: float = 0.0
    forward_seconds: float = 0.0
    mask_seconds: float = 0.0
    mask_wait_seconds: float = 0.0
    apply_seconds: float = 0.0
    sample_seconds: float = 0.0
    step_seconds: float = 0.0

    @property
    def hidden_mask_fraction(self) -> float:
        """Share of the mask fill time that the forward hid (1.0 = fully overlapped)."""
        if self.mask_seconds == 0:
            return 1.0
        return max(0.0, 1.0 - self.mask_wait_seconds / self.mask_seconds)

    @property
    def seconds_per_step(self) -> float:
        return self.step_seconds / self.steps if self.steps else 0.0

    @property
    def grammar_critical_seconds(self) -> float:
        """Grammar work the decode step waited for: the exposed mask fill plus applying it."""
        return self.mask_wait_seconds + self.apply_seconds

    def summary(self) -> str:
        per_step = 1e3 / self.steps if self.steps else 0.0
        mask_ms = self.mask_seconds * per_step
        return (
            f"{self.steps} steps, {self.sampled_tokens} sampled + {self.forced_tokens} forced "
            f"tokens; per step: {self.step_seconds * per_step:.3f} ms total, forward "
            f"{self.forward_seconds * per_step:.3f} ms, mask fill {mask_ms:.3f}"
            f" ms of which exposed {self.mask_wait_seconds * per_step:.3f} ms "
            f"({100 * self.hidden_mask_fraction:.0f}% hidden), mask apply "
            f"{self.apply_seconds * per_step:.3f} ms, sample+accept "
            f"{self.sample_seconds * per_step:.3f} ms"
        )


@dataclass
class GenerationResult:
    """Generated token ids per row (forced tokens included, the stop token excluded), why each
    row ended ("stop" or "length"), and the run's timing."""

    token_ids: List[List[int]]
    finish_reasons: List[str]
    stats: DecodeStats = field(default_factory=DecodeStats)


def _grammar_per_row(compiled_grammars: Any, batch: int) -> List[Any]:
    if compiled_grammars is None or not isinstance(compiled_grammars, (list, tuple)):
        return [compiled_grammars] * batch
    if len(compiled_grammars) != batch:
        raise InvalidArgumentError(
            f"{len(compiled_grammars)} compiled grammars for {batch} prompts; pass one per "
            "prompt, or a single grammar for all"
        )
    return list(compiled_grammars)


class _Row:
    """Per-row decoding state."""

    def __init__(self, matcher: Optional[Any]):
        self.matcher = matcher
        self.generated: List[int] = []
        self.pending: List[int] = []  # tokens to feed in the next forward
        self.finish_reason: Optional[str] = None


def generate(
    model: Any,
    compiled_grammars: Union[Any, Sequence[Any], None],
    prompts: Sequence[Sequence[int]],
    *,
    max_new_tokens: int = 256,
    sampling: Optional[SamplingParams] = None,
    tokenizer: Any = None,
    jump_forward: bool = True,
    overlap: bool = True,
    stop_token_ids: Optional[Sequence[int]] = None,
    max_threads: Union[int, str] = "auto",
) -> GenerationResult:
    """Generate for every prompt under its grammar; see the module docstring for one step.

    ``model``: a transformers causal LM, a ``LogitsModel``, or a callable from token sequences
    to logits (see ``models.as_logits_model``). ``compiled_grammars``: one ``CompiledGrammar``
    for all rows, one per row, or None entries for unconstrained rows. ``tokenizer`` (anything
    with ``encode(text, add_special_tokens=False)``) is needed to feed jump-forward text; without
    it the forced text is sampled token by token, which the mask makes the only choice anyway.
    ``overlap=False`` fills the mask before the forward instead of during it, for comparison.
    ``stop_token_ids`` stop unconstrained rows (constrained rows stop when their matcher
    terminates).
    """
    import torch

    sampling = sampling or SamplingParams()
    if max_new_tokens < 1:
        raise InvalidArgumentError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
    logits_model = as_logits_model(model)
    rows = [
        _Row(None if grammar is None else xgr.GrammarMatcher(grammar))
        for grammar in _grammar_per_row(compiled_grammars, len(prompts))
    ]
    stop_tokens = set(stop_token_ids or [])
    can_jump_forward = jump_forward and tokenizer is not None
    constrained_any = any(row.matcher is not None for row in rows)
    batch_matcher = xgr.BatchGrammarMatcher(max_threads) if constrained_any else None
    mask_vocab_size = _mask_vocab_size(compiled_grammars) if constrained_any else 0
    bitmask = xgr.allocate_token_bitmask(len(rows), mask_vocab_size) if constrained_any else None
    generator = None
    stats = DecodeStats()
    mask_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xgrammar-mask")

    def fill_masks(constrained: List[int]) -> float:
        started = time.perf_counter()
        batch_matcher.batch_fill_next_token_bitmask(
            [rows[index].matcher for index in constrained], bitmask, indices=constrained
        )
        return time.perf_counter() - started

    try:
        loop_started = time.perf_counter()
        logits = None
        while True:
            active = [index for index, row in enumerate(rows) if row.finish_reason is None]
            if not active:
                break
            constrained = [index for index in active if rows[index].matcher is not None]

            # This step's forward and mask fill, overlapped: the worker thread fills the masks
            # (the GIL is released inside) while this thread runs the model.
            mask_future = None
            if constrained and overlap:
                mask_future = mask_executor.submit(fill_masks, constrained)
            elif constrained:
                fill_seconds = fill_masks(constrained)
                stats.mask_seconds += fill_seconds
                stats.mask_wait_seconds += fill_seconds
            started = time.perf_counter()
            is_prefill = logits is None
            if is_prefill:
                logits = logits_model.prefill(prompts)
            else:
                logits = logits_model.extend([row.pending for row in rows])
            if logits.device.type == "cuda":
                torch.cuda.synchronize(logits.device)  # so forward_seconds is the real time
            if is_prefill:
                stats.prefill_seconds = time.perf_counter() - started
            else:
                stats.forward_seconds += time.perf_counter() - started
            if mask_future is not None:
                waited_from = time.perf_counter()
                stats.mask_seconds += mask_future.result()
                stats.mask_wait_seconds += time.perf_counter() - waited_from

            started = time.perf_counter()
            step_logits = logits[active]
            if constrained:
                _apply_masks(step_logits, bitmask, active, constrained, mask_vocab_size)
                applied = time.perf_counter()
                stats.apply_seconds += applied - started
                started = applied
            if generator is None and sampling.seed is not None:
                generator = torch.Generator(device=logits.device).manual_seed(sampling.seed)
            tokens = sample_next_tokens(step_logits, sampling, generator).tolist()
            for index, token in zip(active, tokens):
                _accept(rows[index], int(token), stop_tokens, stats)
            if can_jump_forward:
                for index in active:
                    _feed_forced_text(rows[index], tokenizer, stats)
            for index in active:
                row = rows[index]
                if row.finish_reason is None and len(row.generated) >= max_new_tokens:
                    row.finish_reason = "length"
                if row.finish_reason is not None:
                    row.pending = []
            stats.sample_seconds += time.perf_counter() - started
            stats.steps += 1
        stats.step_seconds = time.perf_counter() - loop_started - stats.prefill_seconds
    finally:
        mask_executor.shutdown(wait=True)
    return GenerationResult(
        token_ids=[row.generated for row in rows],
        finish_reasons=[row.finish_reason or "length" for row in rows],
        stats=stats,
    )


def _mask_vocab_size(compiled_grammars: Any) -> int:
    grammars = (
        compiled_grammars if isinstance(compiled_grammars, (list, tuple)) else [compiled_grammars]
    )
    sizes = {grammar.tokenizer_info.vocab_size for grammar in grammars if grammar is not None}
    if len(sizes) != 1:
        raise InvalidArgumentError(
            f"the compiled grammars were built for different vocabulary sizes {sorted(sizes)}"
        )
    return sizes.pop()


def _apply_masks(
    step_logits: Any, bitmask: Any, active: List[int], constrained: List[int], mask_vocab_size: int
) -> None:
    """Mask the constrained rows of ``step_logits`` (the active rows, in order) on its device."""
    positions = [active.index(index) for index in constrained]
    device_bitmask = bitmask[active].to(step_logits.device, non_blocking=True)
    xgr.apply_token_bitmask_inplace(
        step_logits, device_bitmask, indices=positions, vocab_size=mask_vocab_size
    )
    if step_logits.shape[-1] > mask_vocab_size:
        # Ids past the tokenizer's vocabulary (the model's padding) are never allowed.
        position_index = _torch_index(positions, step_logits.device)
        step_logits[position_index, mask_vocab_size:] = float("-inf")


def _torch_index(values: List[int], device: Any) -> Any:
    import torch

    return torch.tensor(values, dtype=torch.long, device=device)


def _accept(row: _Row, token: int, stop_tokens: set, stats: DecodeStats) -> None:
    stats.sampled_tokens += 1
    if row.matcher is None:
        if token in stop_tokens:
            row.finish_reason = "stop"
        else:
            row.generated.append(token)
            row.pending = [token]
        return
    if not row.matcher.accept_token(token):
        raise XGrammarError(f"the matcher rejected token {token} that its own mask allowed")
    if row.matcher.is_terminated():
        row.finish_reason = "stop"
        return
    row.generated.append(token)
    row.pending = [token]


def _feed_forced_text(row: _Row, tokenizer: Any, stats: DecodeStats) -> None:
    """Accept the tokens of the text the grammar forces next, and queue them for the model.

    The forced text is tokenized on its own, which can split differently from how the model
    would continue; every token still goes through ``accept_token``, and the first one the
    matcher rejects ends the forced chunk (the rest is then sampled, as the mask forces it).
    """
    if row.finish_reason is not None or row.matcher is None:
        return
    forced_text = row.matcher.find_jump_forward_string()
    if not forced_text:
        return
    forced_tokens = tokenizer.encode(forced_text, add_special_tokens=False)
    for token in forced_tokens[:MAX_FORCED_TOKENS_PER_STEP]:
        if not row.matcher.accept_token(token):
            break
        row.generated.append(token)
        row.pending.append(token)
        stats.forced_tokens += 1
        if row.matcher.is_terminated():
            row.finish_reason = "stop"
            break
