// CompiledGrammar: everything a matcher needs, built once per (grammar, tokenizer) and shared
// read-only by every matcher and thread: the optimised grammar, its automaton, and the
// token-mask cache. Entry point: `CompileGrammar`.
#ifndef XGRAMMAR_CPP_COMPILED_GRAMMAR_H_
#define XGRAMMAR_CPP_COMPILED_GRAMMAR_H_

#include <atomic>
#include <memory>
#include <vector>

#include "cpp/grammar.h"
#include "cpp/grammar_automaton.h"
#include "cpp/token_mask_cache.h"
#include "cpp/tokenizer_info.h"

namespace xgrammar {

struct CompileOptions {
  int num_threads = 8;
  // Set from another thread to stop the compilation; it then throws Error(kCancelled).
  const std::atomic<bool>* cancel = nullptr;
};

class CompiledGrammar {
 public:
  const GrammarPtr& grammar() const { return grammar_; }
  const TokenizerInfoPtr& tokenizer() const { return tokenizer_; }
  const GrammarAutomaton& automaton() const { return automaton_; }
  // The mask-cache entry of a state (an empty one, storage kNone, for states that consume no
  // byte). States that behave alike share one entry: compare addresses to deduplicate.
  const StateTokenMask& mask(StateId state) const {
    static const StateTokenMask kNoMask;
    return masks_[state] ? *masks_[state] : kNoMask;
  }
  StateId start_state() const { return automaton_.rule_start(grammar_->root()); }
  // One bit per token id: the tokens a grammar may ever allow (not special, not stop, not
  // empty, not padding).
  const std::vector<uint32_t>& ordinary_token_bitset() const { return ordinary_token_bitset_; }
  const TokenMaskCacheStats& stats() const { return stats_; }
  size_t memory_size_bytes() const;

 private:
  friend std::shared_ptr<const CompiledGrammar> CompileGrammar(const GrammarPtr&,
                                                               const TokenizerInfoPtr&,
                                                               const CompileOptions&);
  GrammarPtr grammar_;
  TokenizerInfoPtr tokenizer_;
  GrammarAutomaton automaton_;
  std::vector<StateTokenMaskPtr> masks_;
  std::vector<uint32_t> ordinary_token_bitset_;
  TokenMaskCacheStats stats_;
};

using CompiledGrammarPtr = std::shared_ptr<const CompiledGrammar>;

CompiledGrammarPtr CompileGrammar(const GrammarPtr& grammar, const TokenizerInfoPtr& tokenizer,
                                  const CompileOptions& options);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_COMPILED_GRAMMAR_H_
