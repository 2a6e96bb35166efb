// Byte offset to line:column; see text_location.h.
#include "cpp/text_location.h"

#include <algorithm>

namespace xgrammar {

SourceLocation LocateOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  SourceLocation location{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    const char c = text[i];
    const bool ends_line =
        c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'));
    if (ends_line) {
      ++location.line;
      location.column = 1;
    } else {
      ++location.column;
    }
  }
  return location;
}

}  // namespace xgrammar
