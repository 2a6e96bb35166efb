// Precomputation of the adaptive token-mask cache; see token_mask_cache.h.
//
// For one state the whole vocabulary is walked in byte-sorted order with a private Earley
// recognizer started at that state with no context: consecutive tokens share prefixes, so the
// recognizer keeps the sets of the shared prefix and only consumes the new bytes, and when a
// prefix dies every token extending it is classified at once without being consumed.
#include "cpp/token_mask_cache.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "cpp/earley_recognizer.h"
#include "cpp/error.h"

namespace xgrammar {
namespace {

enum class TokenClass : uint8_t { kRejected, kAccepted, kUncertain };

bool TestByte(const ByteBitset& set, uint8_t b) { return (set[b >> 6] >> (b & 63)) & 1; }

class StateMaskBuilder {
 public:
  StateMaskBuilder(const GrammarAutomaton& automaton, const TokenizerInfo& tokenizer,
                   const std::vector<ByteBitset>& follow_bytes)
      : automaton_(automaton),
        tokenizer_(tokenizer),
        follow_bytes_(follow_bytes),
        recognizer_(&automaton) {}

  StateTokenMask Build(StateId state, TokenMaskCacheStats* stats) {
    const std::vector<int32_t>& sorted = tokenizer_.sorted_token_ids();
    const std::vector<int32_t>& common = tokenizer_.sorted_common_prefix();
    const std::vector<std::string>& vocab = tokenizer_.decoded_vocab();
    const ByteBitset& follow = follow_bytes_[automaton_.state_rule(state)];
    const int32_t n = static_cast<int32_t>(sorted.size());
    classes_.assign(n, TokenClass::kRejected);
    recognizer_.Reset(state);
    // leaves_rule[d]: the first d bytes can leave the rule and go on in a caller.
    leaves_rule_.assign(1, false);
    for (int32_t i = 0; i < n;) {
      const std::string& token = vocab[sorted[i]];
      int32_t keep = std::min<int32_t>(common[i], recognizer_.num_sets() - 1);
      recognizer_.Truncate(keep + 1);
      leaves_rule_.resize(keep + 1);
      int32_t depth = keep;
      bool stuck = false;
      while (depth < static_cast<int32_t>(token.size())) {
        uint8_t b = static_cast<uint8_t>(token[depth]);
        leaves_rule_.push_back(leaves_rule_[depth] ||
                               (recognizer_.EndedAny() && TestByte(follow, b)));
        if (!recognizer_.PushByte(b)) {
          stuck = true;
          break;
        }
        ++depth;
      }
      if (!stuck) {
        classes_[i] = TokenClass::kAccepted;
        ++i;
        continue;
      }
      // Every token sharing the first depth + 1 bytes gets stuck at the same byte.
      TokenClass cls = leaves_rule_[depth + 1] ? TokenClass::kUncertain : TokenClass::kRejected;
      leaves_rule_.pop_back();
      classes_[i++] = cls;
      while (i < n && common[i] >= depth + 1) classes_[i++] = cls;
    }
    return Store(stats);
  }

 private:
  StateTokenMask Store(TokenMaskCacheStats* stats) {
    const std::vector<int32_t>& sorted = tokenizer_.sorted_token_ids();
    StateTokenMask mask;
    std::vector<int32_t> accepted;
    std::vector<int32_t> rejected;
    for (size_t i = 0; i < classes_.size(); ++i) {
      switch (classes_[i]) {
        case TokenClass::kAccepted:
          accepted.push_back(sorted[i]);
          break;
        case TokenClass::kRejected:
          rejected.push_back(sorted[i]);
          break;
        case TokenClass::kUncertain:
          mask.uncertain.push_back(static_cast<int32_t>(i));
          break;
      }
    }
    stats->accepted += static_cast<int64_t>(accepted.size());
    stats->rejected += static_cast<int64_t>(rejected.size());
    stats->uncertain += static_cast<int64_t>(mask.uncertain.size());
    size_t bitset_words = (static_cast<size_t>(tokenizer_.vocab_size()) + 31) / 32;
    if (accepted.size() <= rejected.size() && accepted.size() <= bitset_words) {
      mask.storage = StateTokenMask::Storage::kAcceptedList;
      std::sort(accepted.begin(), accepted.end());
      mask.tokens = std::move(accepted);
    } else if (rejected.size() <= bitset_words) {
      mask.storage = StateTokenMask::Storage::kRejectedList;
      std::sort(rejected.begin(), rejected.end());
      mask.tokens = std::move(rejected);
    } else {
      mask.storage = StateTokenMask::Storage::kAcceptedBitset;
      mask.bitset.assign(bitset_words, 0);
      for (int32_t id : accepted) mask.bitset[id >> 5] |= 1u << (id & 31);
    }
    mask.tokens.shrink_to_fit();
    return mask;
  }

  const GrammarAutomaton& automaton_;
  const TokenizerInfo& tokenizer_;
  const std::vector<ByteBitset>& follow_bytes_;
  EarleyRecognizer recognizer_;
  std::vector<TokenClass> classes_;
  std::vector<bool> leaves_rule_;
};

}  // namespace

std::vector<StateTokenMask> BuildTokenMaskCache(const GrammarAutomaton& automaton,
                                                const TokenizerInfo& tokenizer,
                                                const std::vector<ByteBitset>& follow_bytes,
                                                int num_threads, const std::atomic<bool>* cancel,
                                                TokenMaskCacheStats* stats) {
  std::vector<StateId> scanning_states;
  for (StateId s = 0; s < automaton.num_states(); ++s) {
    if (automaton.state_rule(s) >= 0 && !automaton.byte_edges(s).empty()) {
      scanning_states.push_back(s);
    }
  }
  std::vector<StateTokenMask> masks(automaton.num_states());
  std::atomic<size_t> next{0};
  std::atomic<bool> cancelled{false};
  num_threads = std::max(1, std::min<int>(num_threads, static_cast<int>(scanning_states.size())));
  std::vector<TokenMaskCacheStats> thread_stats(num_threads);
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&](int thread_index) {
    try {
      StateMaskBuilder builder(automaton, tokenizer, follow_bytes);
      for (size_t k = next++; k < scanning_states.size(); k = next++) {
        if (cancelled || (cancel != nullptr && cancel->load(std::memory_order_relaxed))) {
          cancelled = true;
          return;
        }
        masks[scanning_states[k]] = builder.Build(scanning_states[k], &thread_stats[thread_index]);
      }
    } catch (...) {
      // An exception must not escape a thread (that would abort the process): the first one
      // is rethrown on the calling thread and the other workers stop early.
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      cancelled = true;
    }
  };
  if (num_threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < num_threads; ++t) threads.emplace_back(work, t);
    for (std::thread& t : threads) t.join();
  }
  if (failure) std::rethrow_exception(failure);
  if (cancelled) ThrowError(ErrorKind::kCancelled, "compilation was cancelled");
  stats->states = static_cast<int64_t>(scanning_states.size());
  for (const TokenMaskCacheStats& s : thread_stats) {
    stats->accepted += s.accepted;
    stats->rejected += s.rejected;
    stats->uncertain += s.uncertain;
  }
  return masks;
}

}  // namespace xgrammar
