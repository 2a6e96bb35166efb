// Formatting of core errors; see error.h.
#include "cpp/error.h"

#include <utility>

namespace xgrammar {

Error::Error(ErrorKind kind, std::string message, SourceLocation location)
    : kind_(kind), message_(std::move(message)), location_(location) {
  if (location_.line > 0) {
    formatted_ =
        std::to_string(location_.line) + ":" + std::to_string(location_.column) + ": " + message_;
  } else {
    formatted_ = message_;
  }
}

void ThrowError(ErrorKind kind, std::string message, SourceLocation location) {
  throw Error(kind, std::move(message), location);
}

}  // namespace xgrammar
