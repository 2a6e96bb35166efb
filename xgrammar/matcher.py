"""GrammarMatcher and BatchGrammarMatcher: per-request decoding state over a CompiledGrammar.

A matcher accepts tokens (or raw strings), fills the next-token bitmask, rolls back, finds
forced text and reports completion. Rejected input leaves it unchanged and returns False.
Bitmasks are int32 NumPy arrays or torch CPU tensors, written in place without copies.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional, Union

import numpy as np

from . import _core
from .compiler import CompiledGrammar
from .exceptions import InvalidArgumentError

__all__ = ["GrammarMatcher", "BatchGrammarMatcher"]


def _check_bitmask(bitmask: Any) -> None:
    """Rejects bitmasks the C++ side cannot write in place, with a clear error."""
    dtype = getattr(bitmask, "dtype", None)
    if dtype is None:
        raise InvalidArgumentError("the bitmask must be a NumPy array or a torch tensor")
    if str(dtype) not in ("int32", "torch.int32"):
        raise InvalidArgumentError(f"the bitmask must have dtype int32, got {dtype}")
    if hasattr(bitmask, "is_contiguous"):
        if bitmask.device.type != "cpu":
            raise InvalidArgumentError(
                f"the bitmask must be on the CPU, got device {bitmask.device}; fill a CPU "
                "bitmask and copy it to the device"
            )
        if not bitmask.is_contiguous():
            raise InvalidArgumentError("the bitmask must be contiguous")
    elif not bitmask.flags["C_CONTIGUOUS"] or not bitmask.flags["WRITEABLE"]:
        raise InvalidArgumentError("the bitmask must be a writable, C-contiguous array")
    if bitmask.ndim not in (1, 2):
        raise InvalidArgumentError(f"the bitmask must be 1-D or 2-D, got {bitmask.ndim}-D")


def _checked_token_id(token_id: Any) -> int:
    """Token ids the binding cannot even convert (not an int, or past int32) are misuse too."""
    if isinstance(token_id, bool) or not isinstance(token_id, (int, np.integer)):
        raise InvalidArgumentError(f"a token id must be an int, got {type(token_id).__name__}")
    if not -(2**31) <= int(token_id) < 2**31:
        raise InvalidArgumentError(f"token id {token_id} is out of range")
    return int(token_id)


class GrammarMatcher:
    """Matches a token stream against a compiled grammar (upstream XGrammar 0.2.8 API)."""

    def __init__(
        self,
        compiled_grammar: CompiledGrammar,
        *,
        override_stop_tokens: Optional[Union[int, List[int]]] = None,
        terminate_without_stop_token: bool = False,
        max_rollback_tokens: int = -1,
    ) -> None:
        if not isinstance(compiled_grammar, CompiledGrammar):
            raise InvalidArgumentError("GrammarMatcher needs a CompiledGrammar")
        if isinstance(override_stop_tokens, int):
            override_stop_tokens = [override_stop_tokens]
        self._compiled_grammar = compiled_grammar
        self._max_rollback_tokens = max_rollback_tokens
        self._handle = _core.GrammarMatcher(
            compiled_grammar._handle,
            override_stop_tokens,
            terminate_without_stop_token,
            max_rollback_tokens,
        )

    def accept_token(self, token_id: int, *, debug_print: bool = False) -> bool:
        """Consumes one token; False (and no change) when the grammar does not allow it."""
        return self._handle.accept_token(_checked_token_id(token_id))

    def accept_string(self, input_str: Union[str, bytes], *, debug_print: bool = False) -> bool:
        """Consumes text that need not align with tokens; False (and no change) if rejected."""
        data = input_str.encode("utf-8") if isinstance(input_str, str) else bytes(input_str)
        return self._handle.accept_bytes(data)

    def fill_next_token_bitmask(
        self, bitmask: Any, index: int = 0, *, debug_print: bool = False
    ) -> bool:
        """Writes the allowed next tokens into row ``index`` of ``bitmask``.

        Returns False when the matcher is terminated (only stop tokens are then set), True
        otherwise.
        """
        try:
            return self._handle.fill_next_token_bitmask(bitmask, index)
        except TypeError:
            # The binding only takes writable, contiguous int32 CPU arrays; say which rule
            # this one breaks, as a typed error.
            _check_bitmask(bitmask)
            raise

    def find_jump_forward_string(self) -> str:
        """The text the grammar forces next (may be empty), cut at a character boundary."""
        return self._handle.find_jump_forward_bytes().decode("utf-8")

    def rollback(self, num_tokens: int = 1) -> None:
        """Undoes the last ``num_tokens`` accepted tokens (or strings)."""
        self._handle.rollback(num_tokens)

    def is_terminated(self) -> bool:
        return self._handle.is_terminated()

    def is_completed(self) -> bool:
        """The accepted text is a complete string of the grammar."""
        return self._handle.is_completed()

    def reset(self) -> None:
        self._handle.reset()

    def fork(self) -> GrammarMatcher:
        """An independent copy of this matcher in its current state."""
        forked = GrammarMatcher.__new__(GrammarMatcher)
        forked._compiled_grammar = self._compiled_grammar
        forked._max_rollback_tokens = self._max_rollback_tokens
        forked._handle = self._handle.fork()
        return forked

    @property
    def compiled_grammar(self) -> CompiledGrammar:
        return self._compiled_grammar

    @property
    def stop_token_ids(self) -> List[int]:
        return list(self._handle.stop_token_ids)

    @property
    def max_rollback_tokens(self) -> int:
        return self._max_rollback_tokens


class BatchGrammarMatcher:
    """Fills the bitmasks of many matchers in parallel on a pool of C++ threads."""

    def __init__(self, max_threads: Union[int, str] = "auto") -> None:
        if max_threads == "auto":
            max_threads = max(1, (os.cpu_count() or 2) // 2)
        if not isinstance(max_threads, int) or max_threads < 1:
            raise InvalidArgumentError(f"max_threads must be 'auto' or >= 1, got {max_threads}")
        self._handle = _core.BatchMatcher(max_threads)

    def batch_fill_next_token_bitmask(
        self,
        matchers: List[GrammarMatcher],
        bitmask: Any,
        indices: Optional[List[int]] = None,
        debug_print: bool = False,
    ) -> None:
        if indices is not None and len(indices) != len(matchers):
            raise InvalidArgumentError("indices must have one entry per matcher")
        try:
            self._handle.fill([m._handle for m in matchers], bitmask, indices)
        except TypeError:
            _check_bitmask(bitmask)
            raise

    @staticmethod
    def batch_accept_token(
        matchers: List[GrammarMatcher], tokens: List[int], debug_print: bool = False
    ) -> List[bool]:
        if len(tokens) != len(matchers):
            raise InvalidArgumentError("tokens must have one entry per matcher")
        return [m.accept_token(t) for m, t in zip(matchers, tokens)]

    @staticmethod
    def batch_accept_string(
        matchers: List[GrammarMatcher],
        strings: List[Union[str, bytes]],
        debug_print: bool = False,
    ) -> List[bool]:
        if len(strings) != len(matchers):
            raise InvalidArgumentError("strings must have one entry per matcher")
        return [m.accept_string(s) for m, s in zip(matchers, strings)]

    @staticmethod
    def batch_rollback(
        matchers: List[GrammarMatcher], num_tokens: Union[int, List[int]] = 1
    ) -> None:
        counts = num_tokens if isinstance(num_tokens, list) else [num_tokens] * len(matchers)
        for matcher, count in zip(matchers, counts):
            matcher.rollback(count)
