// Validation of a TokenizerInfo and the one-time build of its sorted view; see tokenizer_info.h.
#include "cpp/tokenizer_info.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "cpp/error.h"
#include "cpp/resource_limits.h"

namespace xgrammar {
namespace {

void SortUnique(std::vector<int32_t>* ids) {
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
}

void CheckIdsInRange(const std::vector<int32_t>& ids, int32_t vocab_size, const char* what) {
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size) {
      ThrowError(ErrorKind::kInvalidArgument, std::string(what) + " " + std::to_string(id) +
                                                  " is outside the vocabulary [0, " +
                                                  std::to_string(vocab_size) + ")");
    }
  }
}

int32_t CommonPrefixLength(const std::string& a, const std::string& b) {
  size_t limit = std::min(a.size(), b.size());
  size_t length = 0;
  while (length < limit && a[length] == b[length]) ++length;
  return static_cast<int32_t>(length);
}

}  // namespace

TokenizerInfo::TokenizerInfo(std::vector<std::string> decoded_vocab, VocabType vocab_type,
                             int32_t vocab_size, std::vector<int32_t> stop_token_ids,
                             std::vector<int32_t> special_token_ids, bool add_prefix_space)
    : decoded_vocab_(std::move(decoded_vocab)),
      vocab_type_(vocab_type),
      vocab_size_(vocab_size),
      stop_token_ids_(std::move(stop_token_ids)),
      special_token_ids_(std::move(special_token_ids)),
      add_prefix_space_(add_prefix_space) {
  const int32_t max_vocab_size = GetLimits().max_vocab_size;
  if (decoded_vocab_.size() > static_cast<size_t>(max_vocab_size) || vocab_size_ > max_vocab_size) {
    ThrowError(
        ErrorKind::kLimitExceeded,
        "vocabulary of " +
            std::to_string(std::max<size_t>(decoded_vocab_.size(), std::max(vocab_size_, 0))) +
            " tokens exceeds the limit max_vocab_size = " + std::to_string(max_vocab_size));
  }
  const int32_t num_decoded = static_cast<int32_t>(decoded_vocab_.size());
  if (vocab_size_ < num_decoded) {
    ThrowError(ErrorKind::kInvalidArgument,
               "vocab_size " + std::to_string(vocab_size_) + " is smaller than the " +
                   std::to_string(num_decoded) + " tokens of the vocabulary");
  }
  CheckIdsInRange(stop_token_ids_, vocab_size_, "stop token id");
  CheckIdsInRange(special_token_ids_, vocab_size_, "special token id");
  SortUnique(&stop_token_ids_);

  // Empty tokens would let a decoder emit nothing forever, so they are never allowed.
  for (int32_t id = 0; id < num_decoded; ++id) {
    if (decoded_vocab_[id].empty()) special_token_ids_.push_back(id);
  }
  SortUnique(&special_token_ids_);
  std::erase_if(special_token_ids_, [&](int32_t id) {
    return id >= num_decoded ||
           std::binary_search(stop_token_ids_.begin(), stop_token_ids_.end(), id);
  });
  BuildSortedView();
}

void TokenizerInfo::BuildSortedView() {
  const int32_t num_decoded = static_cast<int32_t>(decoded_vocab_.size());
  std::vector<bool> excluded(num_decoded, false);
  for (int32_t id : stop_token_ids_) {
    if (id < num_decoded) excluded[id] = true;
  }
  for (int32_t id : special_token_ids_) excluded[id] = true;

  // Sorting compares a key made of each token's first 8 bytes before touching the strings: two
  // different keys order their tokens exactly as memcmp would (a shorter token is padded with
  // zero bytes, which sort first), and the key array is cache friendly. Only ties compare the
  // full bytes. std::string::compare orders bytes as unsigned char, i.e. memcmp order.
  struct SortEntry {
    uint64_t prefix_key;
    int32_t id;
  };
  std::vector<SortEntry> entries;
  entries.reserve(num_decoded);
  for (int32_t id = 0; id < num_decoded; ++id) {
    if (excluded[id]) continue;
    const std::string& token = decoded_vocab_[id];
    uint64_t key = 0;
    for (size_t index = 0; index < 8; ++index) {
      key = (key << 8) | (index < token.size() ? static_cast<unsigned char>(token[index]) : 0);
    }
    entries.push_back({key, id});
  }
  std::sort(entries.begin(), entries.end(), [this](const SortEntry& a, const SortEntry& b) {
    if (a.prefix_key != b.prefix_key) return a.prefix_key < b.prefix_key;
    int order = decoded_vocab_[a.id].compare(decoded_vocab_[b.id]);
    return order != 0 ? order < 0 : a.id < b.id;
  });
  sorted_token_ids_.reserve(entries.size());
  for (const SortEntry& entry : entries) sorted_token_ids_.push_back(entry.id);

  const size_t num_sorted = sorted_token_ids_.size();
  sorted_common_prefix_.assign(num_sorted, 0);
  sorted_subtree_end_.assign(num_sorted, static_cast<int32_t>(num_sorted));
  // Invariant: `open` holds the positions whose bytes are prefixes of the previous token's, in
  // order of growing length. A prefix of token i-1 is a prefix of token i exactly when it is no
  // longer than their common prefix, so each step closes the subtrees of the longer entries.
  // Every position is pushed and popped once: O(n) after the sort.
  std::vector<int32_t> open;
  for (size_t position = 0; position < num_sorted; ++position) {
    const std::string& token = decoded_vocab_[sorted_token_ids_[position]];
    if (position > 0) {
      const int32_t common =
          CommonPrefixLength(decoded_vocab_[sorted_token_ids_[position - 1]], token);
      sorted_common_prefix_[position] = common;
      while (!open.empty() &&
             static_cast<int32_t>(decoded_vocab_[sorted_token_ids_[open.back()]].size()) > common) {
        sorted_subtree_end_[open.back()] = static_cast<int32_t>(position);
        open.pop_back();
      }
    }
    open.push_back(static_cast<int32_t>(position));
  }
}

size_t TokenizerInfo::memory_size_bytes() const {
  size_t bytes = decoded_vocab_.capacity() * sizeof(std::string);
  for (const std::string& token : decoded_vocab_) {
    // Short strings live inside the std::string object itself and cost nothing more.
    const char* object = reinterpret_cast<const char*>(&token);
    const bool on_heap = token.data() < object || token.data() >= object + sizeof(std::string);
    if (on_heap) bytes += token.capacity() + 1;
  }
  bytes +=
      (stop_token_ids_.capacity() + special_token_ids_.capacity() + sorted_token_ids_.capacity() +
       sorted_common_prefix_.capacity() + sorted_subtree_end_.capacity()) *
      sizeof(int32_t);
  return bytes;
}

}  // namespace xgrammar
