// See bitmask_apply.h. Logits are handled as unsigned integers of their width: storing the
// bit pattern of -inf is all the kernel does.
#include "cpp/bitmask_apply.h"

#include <algorithm>
#include <string>

#include "cpp/error.h"

namespace xgrammar {
namespace {

constexpr uint32_t kFloat32NegativeInfinity = 0xFF800000u;
constexpr uint16_t kFloat16NegativeInfinity = 0xFC00u;
constexpr uint16_t kBFloat16NegativeInfinity = 0xFF80u;
constexpr int32_t kAllAllowed = -1;
constexpr int32_t kNoneAllowed = 0;

template <typename Element>
void MaskRow(Element* logits, int64_t column_stride, const int32_t* words, int64_t vocab_size,
             Element negative_infinity) {
  const int64_t full_words = vocab_size / 32;
  if (column_stride == 1) {
    for (int64_t word_index = 0; word_index < full_words; ++word_index) {
      const uint32_t word = static_cast<uint32_t>(words[word_index]);
      Element* tokens = logits + word_index * 32;
      if (words[word_index] == kAllAllowed) continue;
      if (words[word_index] == kNoneAllowed) {
        std::fill(tokens, tokens + 32, negative_infinity);
        continue;
      }
      // Branch-free blend over the 32 tokens of a mixed word: `keep` is all ones for an
      // allowed token and zero otherwise. With the bit index a loop constant, compilers turn
      // this into vector compares and blends (a per-token branch would mispredict half the time).
      for (int bit = 0; bit < 32; ++bit) {
        const Element keep = static_cast<Element>(-static_cast<Element>((word & (1u << bit)) != 0));
        tokens[bit] = static_cast<Element>((tokens[bit] & keep) | (negative_infinity & ~keep));
      }
    }
  } else {
    for (int64_t word_index = 0; word_index < full_words; ++word_index) {
      const uint32_t word = static_cast<uint32_t>(words[word_index]);
      if (words[word_index] == kAllAllowed) continue;
      for (int bit = 0; bit < 32; ++bit) {
        if (!((word >> bit) & 1u))
          logits[(word_index * 32 + bit) * column_stride] = negative_infinity;
      }
    }
  }
  // The last, partial word: only its first vocab_size % 32 bits name tokens.
  const uint32_t last_word = full_words * 32 < vocab_size ? words[full_words] : 0;
  for (int64_t token = full_words * 32; token < vocab_size; ++token) {
    if (!((last_word >> (token % 32)) & 1u)) logits[token * column_stride] = negative_infinity;
  }
}

template <typename Element>
void MaskRows(const StridedMatrix& logits, const StridedMatrix& bitmask, int64_t vocab_size,
              const std::vector<int64_t>& rows, Element negative_infinity) {
  auto mask_one = [&](int64_t row) {
    MaskRow(static_cast<Element*>(logits.data) + row * logits.row_stride, logits.column_stride,
            static_cast<const int32_t*>(bitmask.data) + row * bitmask.row_stride, vocab_size,
            negative_infinity);
  };
  if (rows.empty()) {
    for (int64_t row = 0; row < logits.rows; ++row) mask_one(row);
  } else {
    for (int64_t row : rows) mask_one(row);
  }
}

}  // namespace

void ApplyTokenBitmaskCpu(const StridedMatrix& logits, LogitsFormat format,
                          const StridedMatrix& bitmask, int64_t vocab_size,
                          const std::vector<int64_t>& rows) {
  if (bitmask.column_stride != 1) {
    ThrowError(ErrorKind::kInvalidArgument, "the bitmask's words must be contiguous in a row");
  }
  if (vocab_size < 0 || vocab_size > logits.columns || vocab_size > bitmask.columns * 32) {
    ThrowError(ErrorKind::kInvalidArgument,
               "vocab_size " + std::to_string(vocab_size) + " exceeds the logits or the bitmask");
  }
  const int64_t row_limit = std::min(logits.rows, bitmask.rows);
  if (rows.empty() && logits.rows > bitmask.rows) {
    ThrowError(ErrorKind::kInvalidArgument, "the bitmask has fewer rows than the logits");
  }
  for (int64_t row : rows) {
    if (row < 0 || row >= row_limit) {
      ThrowError(ErrorKind::kInvalidArgument, "row " + std::to_string(row) + " is out of range");
    }
  }
  switch (format) {
    case LogitsFormat::kFloat32:
      MaskRows<uint32_t>(logits, bitmask, vocab_size, rows, kFloat32NegativeInfinity);
      break;
    case LogitsFormat::kFloat16:
      MaskRows<uint16_t>(logits, bitmask, vocab_size, rows, kFloat16NegativeInfinity);
      break;
    case LogitsFormat::kBFloat16:
      MaskRows<uint16_t>(logits, bitmask, vocab_size, rows, kBFloat16NegativeInfinity);
      break;
  }
}

}  // namespace xgrammar
