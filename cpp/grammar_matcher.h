// GrammarMatcher: the per-request state of constrained decoding over a CompiledGrammar. It
// accepts tokens or raw bytes, fills the next-token bitmask, rolls back, finds forced text
// (jump-forward) and knows when the output is complete. All mutable state lives here; the
// compiled grammar is shared and never written.
//
// Mask semantics (DESIGN.md): a token is allowed iff its bytes, appended to what was accepted,
// still form a prefix of some string of the grammar; a stop token iff the accepted text is a
// complete string; special tokens and padding ids never.
#ifndef XGRAMMAR_CPP_GRAMMAR_MATCHER_H_
#define XGRAMMAR_CPP_GRAMMAR_MATCHER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cpp/compiled_grammar.h"
#include "cpp/earley_recognizer.h"

namespace xgrammar {

class GrammarMatcher {
 public:
  // `stop_token_ids`: overrides the tokenizer's when set. `max_rollback_tokens` < 0 keeps the
  // whole history.
  GrammarMatcher(CompiledGrammarPtr compiled, std::optional<std::vector<int32_t>> stop_token_ids,
                 bool terminate_without_stop_token, int32_t max_rollback_tokens);

  bool AcceptToken(int32_t token_id);
  bool AcceptBytes(std::span<const uint8_t> bytes);
  // Writes the mask into `words` (one bit per token id; `num_words` may exceed the vocabulary:
  // the extra bits are cleared). Returns false when nothing but the current state's mask would
  // be needed, i.e. when the matcher is terminated (then only stop tokens are set).
  bool FillNextTokenBitmask(uint32_t* words, int64_t num_words);
  std::string FindJumpForwardString();
  void Rollback(int32_t num_tokens);
  void Reset();
  // A stop token was accepted or, with terminate_without_stop_token, the accepted text is
  // complete. Only an accepted stop token makes the matcher refuse further input.
  bool IsTerminated() const;
  bool IsCompleted() const;
  const std::vector<int32_t>& stop_token_ids() const { return stop_token_ids_; }
  int32_t num_accepted_tokens() const { return static_cast<int32_t>(history_.size()); }
  const CompiledGrammarPtr& compiled() const { return compiled_; }

 private:
  void CheckUncertainTokens(const std::vector<int32_t>& positions, uint32_t* words);
  bool IsStopToken(int32_t token_id) const;

  CompiledGrammarPtr compiled_;
  std::vector<int32_t> stop_token_ids_;
  bool terminate_without_stop_token_;
  int32_t max_rollback_tokens_;
  EarleyRecognizer recognizer_;
  // Per accepted token: the number of Earley sets before it (a stop token adds none).
  std::vector<int32_t> history_;
  bool terminated_ = false;
  // Scratch of FillNextTokenBitmask, kept to avoid allocations per step.
  std::vector<int32_t> scratch_positions_;
  std::vector<uint64_t> scratch_position_bits_;
  std::vector<uint32_t> scratch_words_;
  std::vector<const StateTokenMask*> scratch_masks_;  // distinct entries of current items
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_GRAMMAR_MATCHER_H_
