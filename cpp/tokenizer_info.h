// TokenizerInfo: what the engine knows about a model's vocabulary. For every token id it holds
// the exact bytes the token stands for (already decoded from the tokenizer's own spelling, see
// token_decoder.h), which ids stop generation, which are special (never allowed by a grammar),
// and the model's vocabulary size (which may be padded beyond the tokenizer's).
//
// On construction it also builds, once, the view the mask compiler walks (DESIGN.md idea 6):
// the ordinary tokens sorted by their bytes, the common prefix of each with its predecessor, and
// for each the end of the run of tokens that extend it (its "subtree" in the implicit trie).
//
// Entry point: the constructor. The object is immutable afterwards, so one instance is shared
// read-only across threads through TokenizerInfoPtr.
#ifndef XGRAMMAR_CPP_TOKENIZER_INFO_H_
#define XGRAMMAR_CPP_TOKENIZER_INFO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace xgrammar {

// How a tokenizer spells the bytes of its tokens. The values are upstream XGrammar's.
enum class VocabType : uint8_t {
  kRaw = 0,           // tokens are their bytes
  kByteFallback = 1,  // SentencePiece: "▁" (U+2581) is a space, "<0xHH>" is the byte HH
  kByteLevel = 2,     // GPT-2 byte-to-unicode alphabet: every byte is one printable character
};

class TokenizerInfo {
 public:
  // `decoded_vocab[id]` is the exact bytes of token `id`. Throws Error(kInvalidArgument) when
  // `vocab_size` is smaller than the vocabulary or above Limits::max_vocab_size, or when a stop
  // or special id is outside [0, vocab_size). Special ids are normalized: empty tokens are added,
  // stop tokens removed, ids in the padding range dropped (padding is implied by vocab_size);
  // both id lists come out sorted and without duplicates.
  TokenizerInfo(std::vector<std::string> decoded_vocab, VocabType vocab_type, int32_t vocab_size,
                std::vector<int32_t> stop_token_ids, std::vector<int32_t> special_token_ids,
                bool add_prefix_space);

  // The model's vocabulary size (the bitmask's width), >= decoded_vocab().size(). Ids beyond
  // decoded_vocab() are padding and never allowed.
  int32_t vocab_size() const { return vocab_size_; }
  VocabType vocab_type() const { return vocab_type_; }
  // Whether the tokenizer prepends a space to the text it encodes (SentencePiece's dummy prefix).
  bool add_prefix_space() const { return add_prefix_space_; }
  // Exact bytes per token id, for ids below decoded_vocab().size().
  const std::vector<std::string>& decoded_vocab() const { return decoded_vocab_; }
  const std::vector<int32_t>& stop_token_ids() const { return stop_token_ids_; }
  // Special or control tokens that are not stop tokens, and empty tokens: a grammar never allows
  // them. Does not list the padding ids [decoded_vocab().size(), vocab_size()).
  const std::vector<int32_t>& special_token_ids() const { return special_token_ids_; }

  // The ordinary tokens (not stop, not special, not empty) sorted by their bytes in memcmp order
  // (a prefix sorts before its extensions); equal bytes sort by id.
  const std::vector<int32_t>& sorted_token_ids() const { return sorted_token_ids_; }
  // For sorted position i: length of the longest common prefix of its bytes with position i-1
  // (0 for i = 0).
  const std::vector<int32_t>& sorted_common_prefix() const { return sorted_common_prefix_; }
  // For sorted position i: the first position j > i whose token does not start with token i's
  // bytes, so [i + 1, j) are exactly the tokens that extend token i (or repeat it).
  const std::vector<int32_t>& sorted_subtree_end() const { return sorted_subtree_end_; }

  // Heap bytes held by this object, for cache accounting.
  size_t memory_size_bytes() const;

 private:
  void BuildSortedView();

  std::vector<std::string> decoded_vocab_;
  VocabType vocab_type_;
  int32_t vocab_size_;
  std::vector<int32_t> stop_token_ids_;
  std::vector<int32_t> special_token_ids_;
  bool add_prefix_space_;
  std::vector<int32_t> sorted_token_ids_;
  std::vector<int32_t> sorted_common_prefix_;
  std::vector<int32_t> sorted_subtree_end_;
};

using TokenizerInfoPtr = std::shared_ptr<const TokenizerInfo>;

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_TOKENIZER_INFO_H_
