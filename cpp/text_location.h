// Turning a byte offset into the line:column a user sees, for every text front end (EBNF, JSON).
// Lines end at "\n", "\r\n" or a lone "\r"; columns count bytes from 1, as SourceLocation says.
#ifndef XGRAMMAR_CPP_TEXT_LOCATION_H_
#define XGRAMMAR_CPP_TEXT_LOCATION_H_

#include <cstddef>
#include <string_view>

#include "cpp/error.h"

namespace xgrammar {

// Linear in `offset`; meant for error paths, which run once.
SourceLocation LocateOffset(std::string_view text, size_t offset);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_TEXT_LOCATION_H_
