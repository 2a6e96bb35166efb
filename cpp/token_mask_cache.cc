// Precomputation of the adaptive token-mask cache; see token_mask_cache.h.
//
// For one state the whole vocabulary is walked in byte-sorted order with a private Earley
// recognizer started at that state with no context: consecutive tokens share prefixes, so the
// recognizer keeps the sets of the shared prefix and only consumes the new bytes, and when a
// prefix dies every token extending it is classified at once without being consumed.
#include "cpp/token_mask_cache.h"

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "cpp/cancel_poller.h"
#include "cpp/continuation_approximation.h"
#include "cpp/earley_recognizer.h"
#include "cpp/error.h"
#include "cpp/signature_interner.h"

namespace xgrammar {
namespace {

// How much work one state's walk does between two looks at the stop flags, counted in Earley
// items and continuation states stepped over (tens of nanoseconds each). Counting tokens
// instead was too coarse: on a grammar whose start state has thousands of items, 256 tokens
// took up to 390 ms. This keeps a look within about a millisecond, and the relaxed atomic
// loads cost nothing.
constexpr int64_t kWorkBetweenStopChecks = 16384;

// Room in each worker's Earley transition memo (see earley_recognizer.h), which all the state
// walks of that worker share: about 1 KiB per set, so at most a few MiB per compile thread.
constexpr int32_t kMemoSetsPerWorker = 8192;

// Room in each worker's memo of block outcomes (see StateMaskBuilder::BlockKey), in stored
// token positions: 4 Mi positions, 16 MiB per compile thread at most.
constexpr size_t kMaxBlockMemoPositions = size_t{1} << 22;

// Tokens of at most this many bytes are "short": states no short token tells apart share the
// short tokens' classes, and each walks only the long tokens (about 1% of a 128k vocabulary).
constexpr int32_t kShortTokenDepth = 16;

// The two reasons a worker stops early: the caller cancelled (or its timeout fired), or
// another worker failed. Read with relaxed loads: any late stop is still seen soon.
struct StopFlags {
  const std::atomic<bool>* caller_cancel = nullptr;
  std::atomic<bool>* stop_all = nullptr;
  bool Raised() const {
    return stop_all->load(std::memory_order_relaxed) ||
           (caller_cancel != nullptr && caller_cancel->load(std::memory_order_relaxed));
  }
};

bool TestByte(const ByteBitset& set, uint8_t b) { return (set[b >> 6] >> (b & 63)) & 1; }

// What may be going on after the first d bytes of a token outside the rule instance the
// token started in: the approximate continuation states of earlier exits, and whether the
// instance itself can end right here.
struct Continuation {
  std::vector<StateId> states;
  bool unbounded = false;  // too many states to track: anything may follow
  bool ends_here = false;  // the rule instance can end after exactly d bytes
};

class StateMaskBuilder {
 public:
  StateMaskBuilder(const GrammarAutomaton& automaton, const TokenizerInfo& tokenizer,
                   const std::vector<ByteBitset>& follow_bytes,
                   const ContinuationApproximation& continuation)
      : automaton_(automaton),
        tokenizer_(tokenizer),
        follow_bytes_(follow_bytes),
        continuation_(continuation),
        recognizer_(&automaton, kMemoSetsPerWorker) {
    continuation_.InitScratch(&scratch_);
    // [first_byte_begin_[b], first_byte_end_[b]): the sorted positions of the tokens that
    // start with byte b.
    const int32_t n = static_cast<int32_t>(tokenizer.sorted_token_ids().size());
    first_byte_begin_.fill(0);
    first_byte_end_.fill(0);
    for (int32_t i = n - 1; i >= 0; --i) {
      first_byte_begin_[static_cast<uint8_t>(tokenizer.sorted_token(i)[0])] = i;
    }
    for (int32_t i = 0; i < n; ++i) {
      first_byte_end_[static_cast<uint8_t>(tokenizer.sorted_token(i)[0])] = i + 1;
    }
  }

  // The mask of `state`; false (and `*mask` untouched) when `stop` was raised midway. The
  // vocabulary is walked block by block, a block being the tokens that share a first byte.
  bool Build(StateId state, const StopFlags& stop, TokenMaskCacheStats* stats,
             StateTokenMask* mask) {
    rule_ = automaton_.state_rule(state);
    accepted_.clear();
    uncertain_.clear();
    // A full memo starts over (block outcomes name its set ids): states are built in id order,
    // so the states walked next are mostly of the same rules and refill it with what they use.
    if (recognizer_.ClearMemoIfFull()) {
      block_memo_.clear();
      block_memo_positions_ = 0;
    }
    recognizer_.Reset(state);
    ResetContinuation(0);
    continuations_[0].ends_here = recognizer_.EndedAny();
    for (int32_t b = 0; b < 256; ++b) {
      const int32_t lo = first_byte_begin_[b];
      const int32_t hi = first_byte_end_[b];
      if (lo >= hi) continue;
      if (stop.Raised()) return false;
      recognizer_.Truncate(1);
      depth_ = 0;
      if (!Advance(static_cast<uint8_t>(b))) continue;  // a dead first byte rejects the block
      depth_ = 1;
      const std::optional<uint64_t> key = BlockKey(static_cast<uint8_t>(b));
      if (key) {
        auto found = block_memo_.find(*key);
        if (found != block_memo_.end()) {
          for (int32_t offset : found->second.accepted) accepted_.push_back(lo + offset);
          for (int32_t offset : found->second.uncertain) uncertain_.push_back(lo + offset);
          continue;
        }
      }
      const size_t accepted_before = accepted_.size();
      const size_t uncertain_before = uncertain_.size();
      if (!WalkBlock(lo, hi, stop)) return false;
      const size_t added =
          accepted_.size() - accepted_before + uncertain_.size() - uncertain_before;
      if (key && block_memo_positions_ + added > kMaxBlockMemoPositions) {
        // Full: start over, as the Earley memo does; the states to come are mostly of the rule
        // being walked, whose blocks are the ones worth keeping.
        block_memo_.clear();
        block_memo_positions_ = 0;
      }
      if (key && added <= kMaxBlockMemoPositions) {
        BlockResult& result = block_memo_[*key];
        for (size_t k = accepted_before; k < accepted_.size(); ++k) {
          result.accepted.push_back(accepted_[k] - lo);
        }
        for (size_t k = uncertain_before; k < uncertain_.size(); ++k) {
          result.uncertain.push_back(uncertain_[k] - lo);
        }
        block_memo_positions_ += added;
      }
    }
    *mask = Store(stats);
    return true;
  }

  // The positions Build classified as accepted and uncertain for the last state it built.
  const std::vector<int32_t>& accepted_positions() const { return accepted_; }
  const std::vector<int32_t>& uncertain_positions() const { return uncertain_; }

  // The mask of `state`, whose classes agree with the state `leader` on every token of at
  // most kShortTokenDepth bytes: those come from the leader's positions, and only the long
  // tokens (`long_positions`, ascending) are walked. False when `stop` was raised midway.
  bool BuildPatched(StateId state, const std::vector<int32_t>& leader_accepted,
                    const std::vector<int32_t>& leader_uncertain,
                    const std::vector<int32_t>& long_positions, const std::vector<uint8_t>& is_long,
                    const StopFlags& stop, TokenMaskCacheStats* stats, StateTokenMask* mask) {
    rule_ = automaton_.state_rule(state);
    accepted_.clear();
    uncertain_.clear();
    recognizer_.Reset(state);
    ResetContinuation(0);
    continuations_[0].ends_here = recognizer_.EndedAny();
    if (!WalkPositions(long_positions, stop)) return false;
    auto merge_short = [&](const std::vector<int32_t>& from_leader, std::vector<int32_t>* own) {
      std::vector<int32_t> merged;
      merged.reserve(from_leader.size() + own->size());
      for (int32_t pos : from_leader) {
        if (!is_long[pos]) merged.push_back(pos);
      }
      const size_t middle = merged.size();
      merged.insert(merged.end(), own->begin(), own->end());
      std::inplace_merge(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(middle),
                         merged.end());
      own->swap(merged);
    };
    merge_short(leader_accepted, &accepted_);
    merge_short(leader_uncertain, &uncertain_);
    *mask = Store(stats);
    return true;
  }

 private:
  // Which tokens of a block survive depends, after the block's first byte, only on the sets
  // from there on, on the continuation and on the rule the walk started in. When the set
  // after the first byte is interned and self-contained (no item of it began in the start
  // set, whose content differs from state to state) and nothing has left the rule yet, the
  // block's outcome is shared by every walk of the same rule that reaches that set: the states
  // of a rule that all continue into the same loop (string content after a first character,
  // say) walk each block once between them.
  std::optional<uint64_t> BlockKey(uint8_t first_byte) const {
    const Continuation& c = continuations_[1];
    const int32_t memo_id = recognizer_.SelfContainedMemoId();
    if (recognizer_.num_sets() != 2 || memo_id < 0 || c.unbounded || !c.states.empty()) {
      return std::nullopt;
    }
    return (static_cast<uint64_t>(static_cast<uint32_t>(rule_)) << 40) |
           (static_cast<uint64_t>(static_cast<uint32_t>(memo_id)) << 8) | first_byte;
  }

  // Classifies the tokens of sorted positions [lo, hi), which share their first byte; the sets
  // and the continuation after that byte are in place (depth_ == 1).
  bool WalkBlock(int32_t lo, int32_t hi, const StopFlags& stop) {
    const std::vector<int32_t>& common = tokenizer_.sorted_common_prefix();
    for (int32_t i = lo; i < hi;) {
      // Keep what the previous token computed for the shared prefix (at least the first byte).
      depth_ = std::max(1, std::min(common[i], depth_));
      int32_t dead_at = -1;
      if (!ClassifyToken(i, stop, &dead_at)) return false;
      ++i;
      // No parse survives byte dead_at: every token sharing those bytes is rejected, which
      // needs no record.
      if (dead_at >= 0) {
        while (i < hi && common[i] >= dead_at + 1) ++i;
      }
    }
    return true;
  }

  // Classifies the tokens at `positions` (ascending), from the start state, sharing each
  // token's common prefix with the one before it.
  bool WalkPositions(const std::vector<int32_t>& positions, const StopFlags& stop) {
    std::string_view previous;
    depth_ = 0;
    for (int32_t i : positions) {
      const std::string_view token = tokenizer_.sorted_token(i);
      int32_t shared = 0;
      const size_t limit = std::min(previous.size(), token.size());
      while (static_cast<size_t>(shared) < limit && previous[shared] == token[shared]) ++shared;
      previous = token;
      depth_ = std::min(shared, depth_);
      int32_t dead_at = -1;
      if (!ClassifyToken(i, stop, &dead_at)) return false;
    }
    return true;
  }

  // Walks the token at sorted position `i` on from depth_ (the sets of its first depth_ bytes
  // are kept from the token before) and records it as accepted or uncertain; rejected needs no
  // record. `*dead_at` is the byte no parse survives, or stays -1. False when `stop` was
  // raised midway.
  bool ClassifyToken(int32_t i, const StopFlags& stop, int32_t* dead_at) {
    const std::string_view token = tokenizer_.sorted_token(i);
    if (++work_since_stop_check_ >= kWorkBetweenStopChecks) {
      if (stop.Raised()) return false;
      work_since_stop_check_ = 0;
    }
    recognizer_.Truncate(std::min(depth_, recognizer_.num_sets() - 1) + 1);
    while (depth_ < static_cast<int32_t>(token.size())) {
      // Pushing a byte scans the items of the current set and steps the continuation set.
      // Checked per byte, not per token: on an ambiguous grammar one long token can take
      // hundreds of milliseconds.
      work_since_stop_check_ += static_cast<int64_t>(recognizer_.CurrentItems().size() +
                                                     continuations_[depth_].states.size());
      if (work_since_stop_check_ >= kWorkBetweenStopChecks) {
        if (stop.Raised()) return false;
        work_since_stop_check_ = 0;
      }
      if (!Advance(static_cast<uint8_t>(token[depth_]))) {
        *dead_at = depth_;
        return true;
      }
      ++depth_;
    }
    const Continuation& c = continuations_[depth_];
    if (recognizer_.num_sets() - 1 == depth_) {
      accepted_.push_back(i);
    } else if (c.unbounded || !c.states.empty()) {
      uncertain_.push_back(i);
    }
    return true;
  }

  void ResetContinuation(int32_t depth) {
    if (static_cast<int32_t>(continuations_.size()) <= depth) continuations_.resize(depth + 1);
    Continuation& c = continuations_[depth];
    c.states.clear();
    c.unbounded = false;
    c.ends_here = false;
  }

  // Consumes the byte at depth_ inside the rule instance (while it is alive) and in the
  // continuation approximation. False when neither survives.
  bool Advance(uint8_t byte) {
    const Continuation& here = continuations_[depth_];
    const bool exits = here.ends_here && TestByte(follow_bytes_[rule_], byte);
    ResetContinuation(depth_ + 1);
    // continuations_ may have grown: take the references again.
    const Continuation& from = continuations_[depth_];
    Continuation& next = continuations_[depth_ + 1];
    next.unbounded = from.unbounded || (exits && continuation_.AfterRuleUnbounded(rule_));
    if (!next.unbounded) {
      if (!from.states.empty() && !continuation_.Step(from.states, byte, &next.states, &scratch_)) {
        next.unbounded = true;
      }
      if (exits && !next.unbounded) {
        after_.clear();
        if (!continuation_.Step(continuation_.AfterRule(rule_), byte, &after_, &scratch_) ||
            !continuation_.MergeClosed(after_, &next.states, &scratch_)) {
          next.unbounded = true;
        }
      }
      if (next.unbounded) next.states.clear();
    }
    bool inside = recognizer_.num_sets() - 1 == depth_ && recognizer_.PushByte(byte);
    next.ends_here = inside && recognizer_.EndedAny();
    return inside || next.unbounded || !next.states.empty();
  }

 private:
  // Tokens not listed in accepted_ or uncertain_ are rejected. Most states reject nearly
  // every token, so only the smallest form is written, and the full vocabulary is scanned only
  // for a rejected list.
  StateTokenMask Store(TokenMaskCacheStats* stats) {
    const std::vector<int32_t>& sorted = tokenizer_.sorted_token_ids();
    const size_t n = sorted.size();
    const size_t num_accepted = accepted_.size();
    const size_t num_rejected = n - num_accepted - uncertain_.size();
    stats->accepted += static_cast<int64_t>(num_accepted);
    stats->rejected += static_cast<int64_t>(num_rejected);
    stats->uncertain += static_cast<int64_t>(uncertain_.size());
    StateTokenMask mask;
    const size_t bitset_words = (static_cast<size_t>(tokenizer_.vocab_size()) + 31) / 32;
    if (num_accepted <= num_rejected && num_accepted <= bitset_words) {
      mask.storage = StateTokenMask::Storage::kAcceptedList;
      mask.tokens.reserve(num_accepted);
      for (int32_t pos : accepted_) mask.tokens.push_back(sorted[pos]);
    } else if (num_rejected <= bitset_words) {
      mask.storage = StateTokenMask::Storage::kRejectedList;
      mask.tokens.reserve(num_rejected);
      size_t a = 0;
      size_t u = 0;
      for (int32_t pos = 0; pos < static_cast<int32_t>(n); ++pos) {
        if (a < accepted_.size() && accepted_[a] == pos) {
          ++a;
        } else if (u < uncertain_.size() && uncertain_[u] == pos) {
          ++u;
        } else {
          mask.tokens.push_back(sorted[pos]);
        }
      }
    } else {
      mask.storage = StateTokenMask::Storage::kAcceptedBitset;
      mask.bitset.assign(bitset_words, 0);
      for (int32_t pos : accepted_) mask.bitset[sorted[pos] >> 5] |= 1u << (sorted[pos] & 31);
    }
    std::sort(mask.tokens.begin(), mask.tokens.end());
    mask.uncertain = uncertain_;
    return mask;
  }

  const GrammarAutomaton& automaton_;
  const TokenizerInfo& tokenizer_;
  const std::vector<ByteBitset>& follow_bytes_;
  const ContinuationApproximation& continuation_;
  EarleyRecognizer recognizer_;
  ContinuationApproximation::Scratch scratch_;
  // Sorted positions of the accepted and the uncertain tokens of the state being built; every
  // other token is rejected. Lists rather than a class per token: most states accept a few
  // tokens, and a pass over the whole vocabulary per state dominated grammars with hundreds of
  // thousands of states (an enum of 100,000 strings).
  std::vector<int32_t> accepted_;
  std::vector<int32_t> uncertain_;
  int64_t work_since_stop_check_ = 0;
  std::vector<Continuation> continuations_;  // per depth of the current token
  std::vector<StateId> after_;               // scratch of Advance
  std::array<int32_t, 256> first_byte_begin_;
  std::array<int32_t, 256> first_byte_end_;
  // Outcomes of blocks walked from a self-contained set (see BlockKey): sorted-position
  // offsets from the block's start.
  struct BlockResult {
    std::vector<int32_t> accepted;
    std::vector<int32_t> uncertain;
  };
  std::unordered_map<uint64_t, BlockResult> block_memo_;
  size_t block_memo_positions_ = 0;
  int32_t depth_ = 0;
  RuleId rule_ = -1;
};

}  // namespace

// Classes of states that no string of at most `depth` bytes tells apart (Moore's refinement
// cut after `depth` rounds), starting from (rule, final): so two states of one class consume
// any token the same way inside their rule and can end at the same places, and so get the same
// mask. A call edge counts like a byte edge labelled with the rule: the callee consumes at
// least one byte before the call returns, so comparing the targets one round behind is enough.
// States calling a nullable rule or a rule with a lookahead assertion (whose targets can be
// reached at no cost, or whose assertion reads past the return), and lookahead-machine
// states, keep a class of their own.
// `*short_classes` gets the classes after `short_depth` rounds (<= depth): the coarser split of
// states that only tokens longer than `short_depth` bytes tell apart.
std::vector<int32_t> TokenLengthEquivalence(const GrammarAutomaton& automaton, int32_t depth,
                                            int32_t short_depth,
                                            std::vector<int32_t>* short_classes,
                                            const std::atomic<bool>* cancel) {
  const int32_t n = automaton.num_states();
  CancelPoller poller(cancel);
  std::vector<int32_t> cls(n);
  std::map<std::tuple<RuleId, bool, StateId>, int32_t> initial;
  for (StateId s = 0; s < n; ++s) {
    bool unique = automaton.state_rule(s) < 0;
    for (const CallEdge& c : automaton.call_edges(s)) {
      unique =
          unique || automaton.rule_nullable(c.rule) || automaton.rule_lookahead_start(c.rule) >= 0;
    }
    auto key = std::make_tuple(automaton.state_rule(s), automaton.is_final(s), unique ? s : -1);
    cls[s] = initial.emplace(key, static_cast<int32_t>(initial.size())).first->second;
  }
  int32_t count = static_cast<int32_t>(initial.size());
  std::vector<int32_t> signature;
  SignatureInterner index;
  for (int32_t round = 0; round < depth; ++round) {
    if (round == short_depth) *short_classes = cls;
    index.Clear();
    std::vector<int32_t> next(n);
    for (StateId s = 0; s < n; ++s) {
      poller.Tick(1 + static_cast<int64_t>(automaton.byte_edges(s).size() +
                                           automaton.call_edges(s).size()));
      signature.assign(1, cls[s]);
      for (const ByteEdge& e : automaton.byte_edges(s)) {
        signature.push_back(e.lo);
        signature.push_back(e.hi);
        signature.push_back(cls[e.target]);
      }
      signature.push_back(-1);  // separates the byte edges from the call edges
      for (const CallEdge& c : automaton.call_edges(s)) {
        signature.push_back(c.rule);
        signature.push_back(cls[c.target]);
      }
      next[s] = index.Intern(signature);
    }
    cls = std::move(next);
    if (index.size() == count) break;
    count = index.size();
  }
  // The refinement reached its fixpoint (or `depth`) before `short_depth` rounds.
  if (short_classes->empty()) *short_classes = cls;
  return cls;
}

// The states a matcher can hold with a rule instance begun in an earlier Earley set (or the
// start state): targets of byte and call edges, and `start_state`, when they have an edge to
// go on with. Only these need masks: a rule instance predicted in the current set is walked
// by the mask of the kernel item that called it (see grammar_matcher.cc).
std::vector<uint8_t> KernelStates(const GrammarAutomaton& automaton, StateId start_state) {
  const int32_t n = automaton.num_states();
  std::vector<uint8_t> target(n, 0);
  for (StateId s = 0; s < n; ++s) {
    for (const ByteEdge& e : automaton.byte_edges(s)) target[e.target] = 1;
    for (const CallEdge& e : automaton.call_edges(s)) target[e.target] = 1;
  }
  if (start_state >= 0) target[start_state] = 1;
  for (StateId s = 0; s < n; ++s) {
    target[s] = target[s] && automaton.state_rule(s) >= 0 &&
                (!automaton.byte_edges(s).empty() || !automaton.call_edges(s).empty());
  }
  return target;
}

std::vector<StateTokenMaskPtr> BuildTokenMaskCache(const GrammarAutomaton& automaton,
                                                   const TokenizerInfo& tokenizer,
                                                   const std::vector<ByteBitset>& follow_bytes,
                                                   StateId start_state, int num_threads,
                                                   const std::atomic<bool>* cancel,
                                                   TokenMaskCacheStats* stats) {
  int32_t longest_token = 0;
  for (size_t i = 0; i < tokenizer.sorted_token_ids().size(); ++i) {
    longest_token = std::max<int32_t>(
        longest_token,
        static_cast<int32_t>(tokenizer.sorted_token(static_cast<int32_t>(i)).size()));
  }
  // `short_cls` is coarser: states that only tokens longer than kShortTokenDepth bytes tell
  // apart (the late copies of a counted repetition `x{1,255}`, say) share the short tokens'
  // classes.
  std::vector<int32_t> short_cls;
  const std::vector<int32_t> cls =
      TokenLengthEquivalence(automaton, longest_token + 1, kShortTokenDepth, &short_cls, cancel);
  // One representative per class computes the mask; the others share it.
  const std::vector<uint8_t> kernel = KernelStates(automaton, start_state);
  std::vector<StateId> scanning_states;
  std::vector<StateId> representative(automaton.num_states(), -1);
  std::vector<StateId> class_representative(automaton.num_states(), -1);
  for (StateId s = 0; s < automaton.num_states(); ++s) {
    if (!kernel[s]) continue;
    if (class_representative[cls[s]] < 0) {
      class_representative[cls[s]] = s;
      scanning_states.push_back(s);
    }
    representative[s] = class_representative[cls[s]];
  }
  // Representatives split into leaders, walked over the whole vocabulary, and followers, which
  // take the short tokens from their leader and walk only the long ones.
  std::vector<StateId> leaders;
  std::vector<std::pair<StateId, StateId>> followers;  // (state, its leader)
  std::vector<StateId> short_leader(automaton.num_states(), -1);
  for (StateId s : scanning_states) {
    StateId& leader = short_leader[short_cls[s]];
    if (leader < 0) {
      leader = s;
      leaders.push_back(s);
    } else {
      followers.emplace_back(s, leader);
    }
  }
  std::vector<uint8_t> leads(automaton.num_states(), 0);
  for (const auto& [state, leader] : followers) leads[leader] = 1;
  std::vector<int32_t> long_positions;
  std::vector<uint8_t> is_long(tokenizer.sorted_token_ids().size(), 0);
  for (size_t i = 0; i < is_long.size(); ++i) {
    if (static_cast<int32_t>(tokenizer.sorted_token(static_cast<int32_t>(i)).size()) >
        kShortTokenDepth) {
      is_long[i] = 1;
      long_positions.push_back(static_cast<int32_t>(i));
    }
  }
  std::vector<StateTokenMaskPtr> masks(automaton.num_states());
  // A leader's accepted and uncertain positions, kept while it has followers to serve.
  std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> leader_positions(
      automaton.num_states());
  const ContinuationApproximation continuation(automaton, cancel);
  std::atomic<bool> cancelled{false};
  const StopFlags stop{cancel, &cancelled};
  const int num_workers =
      std::max(1, std::min<int>(num_threads, static_cast<int>(scanning_states.size())));
  std::vector<TokenMaskCacheStats> thread_stats(num_workers);
  std::exception_ptr failure;
  std::mutex failure_mutex;
  // Runs `build(builder, k, stats)` for k in [0, count) on the workers; false stops them all.
  auto run_parallel = [&](size_t count, auto build) {
    std::atomic<size_t> next{0};
    auto work = [&](int thread_index) {
      // The recognizer polls the caller's flag inside long pushes (cpp/earley_recognizer.h).
      const ThreadCancelScope scope(cancel);
      try {
        StateMaskBuilder builder(automaton, tokenizer, follow_bytes, continuation);
        for (size_t k = next++; k < count; k = next++) {
          if (stop.Raised() || !build(builder, k, &thread_stats[thread_index])) {
            cancelled = true;
            return;
          }
        }
      } catch (...) {
        // An exception must not escape a thread (that would abort the process): the first one
        // is rethrown on the calling thread and the other workers stop early.
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        cancelled = true;
      }
    };
    const int workers = std::max(1, std::min<int>(num_workers, static_cast<int>(count)));
    if (workers == 1) {
      work(0);
    } else {
      std::vector<std::thread> threads;
      for (int t = 0; t < workers; ++t) threads.emplace_back(work, t);
      for (std::thread& t : threads) t.join();
    }
  };
  run_parallel(
      leaders.size(), [&](StateMaskBuilder& builder, size_t k, TokenMaskCacheStats* thread_stat) {
        const StateId state = leaders[k];
        StateTokenMask mask;
        if (!builder.Build(state, stop, thread_stat, &mask)) return false;
        if (leads[state]) {
          leader_positions[state] = {builder.accepted_positions(), builder.uncertain_positions()};
        }
        masks[state] = std::make_shared<const StateTokenMask>(std::move(mask));
        return true;
      });
  if (!failure && !cancelled) {
    run_parallel(followers.size(),
                 [&](StateMaskBuilder& builder, size_t k, TokenMaskCacheStats* thread_stat) {
                   const auto& [state, leader] = followers[k];
                   StateTokenMask mask;
                   if (!builder.BuildPatched(state, leader_positions[leader].first,
                                             leader_positions[leader].second, long_positions,
                                             is_long, stop, thread_stat, &mask)) {
                     return false;
                   }
                   masks[state] = std::make_shared<const StateTokenMask>(std::move(mask));
                   return true;
                 });
  }
  if (failure) std::rethrow_exception(failure);
  if (cancelled) ThrowError(ErrorKind::kCancelled, "compilation was cancelled");
  for (StateId s = 0; s < automaton.num_states(); ++s) {
    if (representative[s] >= 0) masks[s] = masks[representative[s]];
  }
  stats->states = static_cast<int64_t>(scanning_states.size());
  for (const TokenMaskCacheStats& s : thread_stats) {
    stats->accepted += s.accepted;
    stats->rejected += s.rejected;
    stats->uncertain += s.uncertain;
  }
  return masks;
}

}  // namespace xgrammar
