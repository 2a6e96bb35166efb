"""Grammar-constrained ``transformers.generate``: ``LogitsProcessor``, upstream's contrib API.

Usage::

    tokenizer_info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=config.vocab_size)
    compiled = xgr.GrammarCompiler(tokenizer_info).compile_json_schema(schema)
    model.generate(input_ids, logits_processor=[xgr.contrib.hf.LogitsProcessor(compiled)])

One compiled grammar for every sequence, or a list with one per sequence (batch order). At each
call the processor accepts the token each sequence sampled last step, fills the batch's bitmask
with ``BatchGrammarMatcher`` (GIL released, one thread per core) and applies it to the scores on
their device. A sequence whose matcher has terminated is left unmasked: ``generate`` replaces
its tokens with padding. Unlike upstream's, an instance can serve several ``generate`` calls in
turn: a call whose ``input_ids`` did not grow by exactly one token starts a new generation.
"""

from typing import Any, List, Optional, Sequence, Union

import torch
import transformers

import xgrammar as xgr

from ..exceptions import InvalidArgumentError, XGrammarError

__all__ = ["LogitsProcessor"]


class LogitsProcessor(transformers.LogitsProcessor):
    """Masks ``generate``'s scores so that each sequence follows its compiled grammar."""

    def __init__(
        self,
        compiled_grammar: Union[Any, Sequence[Any]],
        *,
        max_threads: Union[int, str] = "auto",
    ):
        grammars = (
            list(compiled_grammar)
            if isinstance(compiled_grammar, (list, tuple))
            else [compiled_grammar]
        )
        if not grammars:
            raise InvalidArgumentError("LogitsProcessor needs at least one compiled grammar")
        self.compiled_grammars: List[Any] = grammars
        self.full_vocab_size: int = grammars[0].tokenizer_info.vocab_size
        self.matchers: List[Any] = []
        self.token_bitmask: Optional[torch.Tensor] = None
        self.batch_size = 0
        self._batch_matcher = xgr.BatchGrammarMatcher(max_threads)
        self._last_length: Optional[int] = None

    def _start(self, batch_size: int) -> None:
        grammars = self.compiled_grammars
        if len(grammars) == 1:
            grammars = grammars * batch_size
        if len(grammars) != batch_size:
            raise InvalidArgumentError(
                f"{len(self.compiled_grammars)} compiled grammars for a batch of {batch_size}; "
                "pass one grammar for all sequences or exactly one per sequence"
            )
        self.batch_size = batch_size
        self.matchers = [xgr.GrammarMatcher(grammar) for grammar in grammars]
        self.token_bitmask = xgr.allocate_token_bitmask(batch_size, self.full_vocab_size)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        batch_size, length = input_ids.shape
        continues = self._last_length is not None and length == self._last_length + 1
        if continues and batch_size != self.batch_size:
            raise InvalidArgumentError(
                f"input_ids has {batch_size} rows but this generation started with "
                f"{self.batch_size}"
            )
        if not continues:
            self._start(batch_size)
        else:
            for row, matcher in enumerate(self.matchers):
                if matcher.is_terminated():
                    continue
                token = int(input_ids[row, -1])
                if not matcher.accept_token(token):
                    raise XGrammarError(
                        f"sequence {row}: the grammar rejected token {token}, which its mask "
                        "allowed; was the logits processor list changed after masking?"
                    )
        self._last_length = length

        running = [row for row, matcher in enumerate(self.matchers) if not matcher.is_terminated()]
        if running:
            self._batch_matcher.batch_fill_next_token_bitmask(
                [self.matchers[row] for row in running], self.token_bitmask, indices=running
            )
            xgr.apply_token_bitmask_inplace(
                scores,
                self.token_bitmask.to(scores.device, non_blocking=True),
                indices=running,
                vocab_size=min(self.full_vocab_size, scores.shape[-1]),
            )
            if scores.shape[-1] > self.full_vocab_size:
                # Ids past the tokenizer's vocabulary (model padding) are never allowed.
                running_rows = torch.tensor(running, device=scores.device)
                scores[running_rows, self.full_vocab_size :] = float("-inf")
        return scores
