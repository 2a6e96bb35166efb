// The compile pipeline: optimise the grammar, build its automaton, compute the follow bytes
// for context expansion, then the token-mask cache. See compiled_grammar.h.
#include "cpp/compiled_grammar.h"

#include <unordered_set>

#include "cpp/automaton_minimizer.h"
#include "cpp/cancel_poller.h"
#include "grammar_opt/follow.h"
#include "grammar_opt/pipeline.h"

namespace xgrammar {

size_t CompiledGrammar::memory_size_bytes() const {
  size_t total = sizeof(*this) + automaton_.memory_size_bytes() +
                 ordinary_token_bitset_.capacity() * sizeof(uint32_t);
  std::unordered_set<const StateTokenMask*> counted;  // shared entries count once
  for (const StateTokenMaskPtr& mask : masks_) {
    if (mask && counted.insert(mask.get()).second) total += mask->memory_size_bytes();
  }
  return total;
}

CompiledGrammarPtr CompileGrammar(const GrammarPtr& grammar, const TokenizerInfoPtr& tokenizer,
                                  const CompileOptions& options) {
  // Every stage polls the cancel flag inside its long loops (cpp/cancel_poller.h); the looks
  // between stages cover the short ones (the passes and the follow analysis are near-linear).
  auto compiled = std::make_shared<CompiledGrammar>();
  ThrowIfCancelled(options.cancel);
  compiled->grammar_ = OptimizeGrammar(grammar);
  compiled->tokenizer_ = tokenizer;
  ThrowIfCancelled(options.cancel);
  {
    GrammarAutomaton unmerged = BuildGrammarAutomaton(*compiled->grammar_, options.cancel);
    ThrowIfCancelled(options.cancel);
    compiled->automaton_ = MergeEquivalentStates(unmerged, options.cancel);
  }
  ThrowIfCancelled(options.cancel);
  FollowInfo follow = ComputeFollowInfo(*compiled->grammar_);
  ThrowIfCancelled(options.cancel);
  std::vector<ByteBitset> follow_bytes(follow.follow_bytes.size());
  for (size_t r = 0; r < follow.follow_bytes.size(); ++r) {
    follow_bytes[r] = follow.follow_bytes[r].words;
  }
  compiled->masks_ =
      BuildTokenMaskCache(compiled->automaton_, *tokenizer, follow_bytes, compiled->start_state(),
                          options.num_threads, options.cancel, &compiled->stats_);
  compiled->ordinary_token_bitset_.assign((static_cast<size_t>(tokenizer->vocab_size()) + 31) / 32,
                                          0);
  for (int32_t id : tokenizer->sorted_token_ids()) {
    compiled->ordinary_token_bitset_[id >> 5] |= 1u << (id & 31);
  }
  return compiled;
}

}  // namespace xgrammar
