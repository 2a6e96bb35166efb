// GrammarMatcher; see grammar_matcher.h.
#include "cpp/grammar_matcher.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "cpp/error.h"

namespace xgrammar {
namespace {

void SetBit(uint32_t* words, int32_t id) { words[id >> 5] |= 1u << (id & 31); }
bool TestBit(const uint32_t* words, int32_t id) { return (words[id >> 5] >> (id & 31)) & 1u; }

}  // namespace

GrammarMatcher::GrammarMatcher(CompiledGrammarPtr compiled,
                               std::optional<std::vector<int32_t>> stop_token_ids,
                               bool terminate_without_stop_token, int32_t max_rollback_tokens)
    : compiled_(std::move(compiled)),
      stop_token_ids_(stop_token_ids ? std::move(*stop_token_ids)
                                     : compiled_->tokenizer()->stop_token_ids()),
      terminate_without_stop_token_(terminate_without_stop_token),
      max_rollback_tokens_(max_rollback_tokens),
      recognizer_(&compiled_->automaton()) {
  for (int32_t id : stop_token_ids_) {
    if (id < 0 || id >= compiled_->tokenizer()->vocab_size()) {
      ThrowError(ErrorKind::kInvalidArgument,
                 "stop token id " + std::to_string(id) + " is outside the vocabulary");
    }
  }
  Reset();
}

void GrammarMatcher::Reset() {
  recognizer_.Reset(compiled_->start_state());
  history_.clear();
  terminated_ = false;
}

bool GrammarMatcher::IsStopToken(int32_t token_id) const {
  return std::find(stop_token_ids_.begin(), stop_token_ids_.end(), token_id) !=
         stop_token_ids_.end();
}

bool GrammarMatcher::IsTerminated() const {
  return terminated_ || (terminate_without_stop_token_ && recognizer_.CanEnd());
}

bool GrammarMatcher::IsCompleted() const { return terminated_ || recognizer_.CanEnd(); }

bool GrammarMatcher::AcceptToken(int32_t token_id) {
  const TokenizerInfo& tokenizer = *compiled_->tokenizer();
  if (token_id < 0 || token_id >= tokenizer.vocab_size()) {
    ThrowError(ErrorKind::kInvalidArgument, "token id " + std::to_string(token_id) +
                                                " is outside the vocabulary of size " +
                                                std::to_string(tokenizer.vocab_size()));
  }
  if (terminated_) return false;
  if (IsStopToken(token_id)) {
    if (!recognizer_.CanEnd()) return false;
    history_.push_back(recognizer_.num_sets());
    terminated_ = true;
    return true;
  }
  if (token_id >= static_cast<int32_t>(tokenizer.decoded_vocab().size())) return false;
  const std::vector<uint32_t>& ordinary = compiled_->ordinary_token_bitset();
  if (!TestBit(ordinary.data(), token_id)) return false;
  const std::string& bytes = tokenizer.decoded_vocab()[token_id];
  int32_t before = recognizer_.num_sets();
  if (!recognizer_.PushBytes({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()})) {
    return false;
  }
  history_.push_back(before);
  return true;
}

bool GrammarMatcher::AcceptBytes(std::span<const uint8_t> bytes) {
  if (terminated_) return false;
  int32_t before = recognizer_.num_sets();
  if (!recognizer_.PushBytes(bytes)) return false;
  history_.push_back(before);
  return true;
}

void GrammarMatcher::Rollback(int32_t num_tokens) {
  if (num_tokens < 0) {
    ThrowError(ErrorKind::kInvalidArgument, "cannot roll back a negative number of tokens");
  }
  int32_t limit = static_cast<int32_t>(history_.size());
  if (max_rollback_tokens_ >= 0) limit = std::min(limit, max_rollback_tokens_);
  if (num_tokens > limit) {
    ThrowError(ErrorKind::kInvalidArgument, "cannot roll back " + std::to_string(num_tokens) +
                                                " tokens: only " + std::to_string(limit) +
                                                " can be rolled back");
  }
  if (num_tokens == 0) return;
  int32_t target = history_[history_.size() - static_cast<size_t>(num_tokens)];
  history_.resize(history_.size() - static_cast<size_t>(num_tokens));
  recognizer_.Truncate(target);
  terminated_ = false;
}

bool GrammarMatcher::FillNextTokenBitmask(uint32_t* words, int64_t num_words) {
  const TokenizerInfo& tokenizer = *compiled_->tokenizer();
  const int64_t needed = (static_cast<int64_t>(tokenizer.vocab_size()) + 31) / 32;
  if (num_words < needed) {
    ThrowError(ErrorKind::kInvalidArgument, "the bitmask row has " + std::to_string(num_words) +
                                                " words; the vocabulary of " +
                                                std::to_string(tokenizer.vocab_size()) +
                                                " tokens needs " + std::to_string(needed));
  }
  std::memset(words, 0, static_cast<size_t>(num_words) * sizeof(uint32_t));
  auto set_stop_tokens = [&]() {
    for (int32_t id : stop_token_ids_) SetBit(words, id);
  };
  if (terminated_) {
    set_stop_tokens();
    return false;
  }
  // The distinct masks of the current set's kernel items, those whose rule instance began in
  // an earlier set. An item predicted in this set (origin == current) needs none: the kernel
  // item that called it has a mask whose walk went through that call, and its masks, often
  // huge uncertain lists (a one-character rule leaves after every byte), would only cost
  // time. An assertion pending on an item means its precomputed mask does not hold, and
  // every token is checked on the real parse.
  const int32_t current = recognizer_.num_sets() - 1;
  const GrammarAutomaton& automaton = compiled_->automaton();
  scratch_masks_.clear();
  bool assertion_pending = false;
  bool kernel_without_mask = false;
  for (const EarleyItem& item : recognizer_.CurrentItems()) {
    assertion_pending = assertion_pending || item.la_cur != 0;
    if (item.origin == current) continue;
    const StateTokenMask& mask = compiled_->mask(item.state);
    if (mask.storage != StateTokenMask::Storage::kNone) {
      scratch_masks_.push_back(&mask);
    } else if (!automaton.byte_edges(item.state).empty() ||
               !automaton.call_edges(item.state).empty()) {
      kernel_without_mask = true;  // cannot happen with BuildTokenMaskCache's kernel states
    }
  }
  if (kernel_without_mask) {
    for (const EarleyItem& item : recognizer_.CurrentItems()) {
      const StateTokenMask& mask = compiled_->mask(item.state);
      if (item.origin == current && mask.storage != StateTokenMask::Storage::kNone) {
        scratch_masks_.push_back(&mask);
      }
    }
  }
  std::sort(scratch_masks_.begin(), scratch_masks_.end());
  scratch_masks_.erase(std::unique(scratch_masks_.begin(), scratch_masks_.end()),
                       scratch_masks_.end());
  const std::vector<int32_t>& sorted = tokenizer.sorted_token_ids();
  if (assertion_pending) {
    scratch_positions_.resize(sorted.size());
    for (size_t i = 0; i < sorted.size(); ++i) scratch_positions_[i] = static_cast<int32_t>(i);
    CheckUncertainTokens(scratch_positions_, words);
  } else {
    const std::vector<uint32_t>& ordinary = compiled_->ordinary_token_bitset();
    for (const StateTokenMask* mask_pointer : scratch_masks_) {
      const StateTokenMask& mask = *mask_pointer;
      switch (mask.storage) {
        case StateTokenMask::Storage::kAcceptedList:
          for (int32_t id : mask.tokens) SetBit(words, id);
          break;
        case StateTokenMask::Storage::kAcceptedBitset:
          for (size_t w = 0; w < mask.bitset.size(); ++w) words[w] |= mask.bitset[w];
          break;
        case StateTokenMask::Storage::kRejectedList: {
          scratch_words_.assign(ordinary.begin(), ordinary.end());
          for (int32_t id : mask.tokens) scratch_words_[id >> 5] &= ~(1u << (id & 31));
          for (int32_t pos : mask.uncertain) {
            int32_t id = sorted[pos];
            scratch_words_[id >> 5] &= ~(1u << (id & 31));
          }
          for (size_t w = 0; w < scratch_words_.size(); ++w) words[w] |= scratch_words_[w];
          break;
        }
        case StateTokenMask::Storage::kNone:
          break;
      }
    }
    if (scratch_masks_.size() == 1) {
      CheckUncertainTokens(scratch_masks_[0]->uncertain, words);
    } else {
      // Union of the sorted position lists through a bitset: linear, unlike sorting.
      scratch_position_bits_.assign((sorted.size() + 63) / 64, 0);
      for (const StateTokenMask* mask : scratch_masks_) {
        for (int32_t pos : mask->uncertain) {
          scratch_position_bits_[pos >> 6] |= uint64_t{1} << (pos & 63);
        }
      }
      scratch_positions_.clear();
      for (size_t w = 0; w < scratch_position_bits_.size(); ++w) {
        for (uint64_t bits = scratch_position_bits_[w]; bits != 0; bits &= bits - 1) {
          scratch_positions_.push_back(static_cast<int32_t>(w * 64 + std::countr_zero(bits)));
        }
      }
      CheckUncertainTokens(scratch_positions_, words);
    }
  }
  if (recognizer_.CanEnd()) set_stop_tokens();
  return true;
}

void GrammarMatcher::CheckUncertainTokens(const std::vector<int32_t>& positions, uint32_t* words) {
  const TokenizerInfo& tokenizer = *compiled_->tokenizer();
  const std::vector<int32_t>& sorted = tokenizer.sorted_token_ids();
  const int32_t base = recognizer_.num_sets();
  std::string pushed;  // bytes consumed beyond `base`, shared with the previous token
  int dead_byte = -1;  // a byte known to fail right after `pushed`, or -1
  for (int32_t pos : positions) {
    int32_t id = sorted[pos];
    if (TestBit(words, id)) continue;
    const std::string_view token = tokenizer.sorted_token(pos);
    size_t common = 0;
    size_t limit = std::min(pushed.size(), token.size());
    while (common < limit && pushed[common] == token[common]) ++common;
    if (common == pushed.size() && token.size() > common &&
        static_cast<uint8_t>(token[common]) == dead_byte) {
      continue;  // extends a prefix already known to be dead
    }
    if (common < pushed.size()) {
      recognizer_.Truncate(base + static_cast<int32_t>(common));
      pushed.resize(common);
      dead_byte = -1;
    }
    bool ok = true;
    for (size_t d = common; d < token.size(); ++d) {
      if (!recognizer_.PushByte(static_cast<uint8_t>(token[d]))) {
        ok = false;
        dead_byte = static_cast<uint8_t>(token[d]);
        break;
      }
      pushed.push_back(token[d]);
      dead_byte = -1;
    }
    if (ok) SetBit(words, id);
  }
  recognizer_.Truncate(base);
}

std::string GrammarMatcher::FindJumpForwardString() {
  if (terminated_) return "";
  const int32_t base = recognizer_.num_sets();
  std::string forced;
  bool next[256];
  // Bounded: a grammar can force arbitrarily long text, the caller only needs a chunk.
  constexpr size_t kMaxJumpForwardBytes = 4096;
  while (forced.size() < kMaxJumpForwardBytes && !recognizer_.CanEnd()) {
    recognizer_.NextBytes(next);
    int count = 0;
    int only = -1;
    for (int b = 0; b < 256; ++b) {
      if (next[b]) {
        ++count;
        only = b;
      }
    }
    if (count != 1 || !recognizer_.PushByte(static_cast<uint8_t>(only))) break;
    forced.push_back(static_cast<char>(only));
  }
  recognizer_.Truncate(base);
  // Cut at the last complete UTF-8 character.
  size_t end = forced.size();
  size_t i = end;
  while (i > 0 && (static_cast<uint8_t>(forced[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) {
    uint8_t lead = static_cast<uint8_t>(forced[i - 1]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (end - (i - 1) < length) end = i - 1;
  }
  forced.resize(end);
  return forced;
}

}  // namespace xgrammar
