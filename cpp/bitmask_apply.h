// Applies a token bitmask to logits in place on the CPU: every token whose bit is 0 gets -inf.
//
// Entry point: ApplyTokenBitmaskCpu. The bitmask convention is the package's: int32 words,
// bit i of word j of a row is token 32 * j + i, 1 = allowed. Logits are float32, float16 or
// bfloat16; the kernel only ever writes the bit pattern of -inf, so 16-bit formats need no
// arithmetic. Work per word: an all-allowed word is skipped, an all-disallowed word is one run
// of 32 stores, a mixed word is 32 branch-free selects; so a typical grammar mask (mostly
// disallowed) costs about one store per token. The caller (the Python dispatcher) has already
// validated shapes, vocab_size and row numbers; this file re-checks only what protects memory.
#ifndef XGRAMMAR_CPP_BITMASK_APPLY_H_
#define XGRAMMAR_CPP_BITMASK_APPLY_H_

#include <cstdint>
#include <vector>

namespace xgrammar {

enum class LogitsFormat : uint8_t { kFloat32, kFloat16, kBFloat16 };

// A 2-D strided array; strides are in elements, not bytes.
struct StridedMatrix {
  void* data = nullptr;
  int64_t rows = 0;
  int64_t columns = 0;
  int64_t row_stride = 0;
  int64_t column_stride = 1;
};

// Masks logits[row, 0:vocab_size] with bitmask row `row`, for every row in `rows` (or for rows
// 0..logits.rows-1 when `rows` is empty). Throws kInvalidArgument if a row or vocab_size is
// outside either array.
void ApplyTokenBitmaskCpu(const StridedMatrix& logits, LogitsFormat format,
                          const StridedMatrix& bitmask, int64_t vocab_size,
                          const std::vector<int64_t>& rows);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_BITMASK_APPLY_H_
