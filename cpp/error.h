// The one error model of the core: every failure a user can cause is an `xgrammar::Error` with a
// kind, a message and, where it has one, a location (line:column in grammar or regex text, or a
// JSON pointer into a schema). The bindings map each kind to one Python exception class
// (xgrammar/exceptions.py); nothing else is thrown across the boundary on purpose.
#ifndef XGRAMMAR_CPP_ERROR_H_
#define XGRAMMAR_CPP_ERROR_H_

#include <cstdint>
#include <exception>
#include <string>

namespace xgrammar {

enum class ErrorKind : uint8_t {
  kSyntax,              // text that does not parse (EBNF, regex, JSON); has line:column
  kInvalidGrammar,      // parses, but is not a grammar: undefined or duplicate rule, no root
  kUnsupported,         // a construct or keyword this engine cannot enforce exactly
  kLimitExceeded,       // a named resource limit ran out (see cpp/limits.h)
  kInvalidArgument,     // API misuse: wrong shape, dtype, token id, state
  kDeserialize,         // serialized data that is malformed (Python: DeserializeFormatError)
  kCancelled,           // compilation cancelled by the caller or by its timeout
  kDeserializeVersion,  // serialized data of another format version (DeserializeVersionError)
};

struct SourceLocation {
  int32_t line = 0;    // 1-based; 0 when unknown
  int32_t column = 0;  // 1-based, in bytes
};

class Error : public std::exception {
 public:
  Error(ErrorKind kind, std::string message, SourceLocation location = {});
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  SourceLocation location() const { return location_; }
  const char* what() const noexcept override { return formatted_.c_str(); }

 private:
  ErrorKind kind_;
  std::string message_;
  SourceLocation location_;
  std::string formatted_;
};

[[noreturn]] void ThrowError(ErrorKind kind, std::string message, SourceLocation location = {});

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_ERROR_H_
