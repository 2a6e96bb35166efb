// Python binding of TokenizerInfo (cpp/tokenizer_info.h) and of the token decoders
// (cpp/token_decoder.h): `_core.TokenizerInfo`, the handle that xgrammar.TokenizerInfo holds and
// that the compiler bindings take. Conversion only: vocabularies come in as lists of str (UTF-8)
// or bytes and go out as lists of bytes; decoding and sorting run with the GIL released.
#include <Python.h>
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings/registry.h"
#include "cpp/error.h"
#include "cpp/token_decoder.h"
#include "cpp/tokenizer_info.h"

namespace xgrammar_bindings {
namespace {

using xgrammar::ErrorKind;
using xgrammar::TokenizerInfo;
using xgrammar::VocabType;

VocabType ToVocabType(int value) {
  if (value < 0 || value > 2) {
    xgrammar::ThrowError(ErrorKind::kInvalidArgument,
                         "vocab_type must be 0 (RAW), 1 (BYTE_FALLBACK) or 2 (BYTE_LEVEL), not " +
                             std::to_string(value));
  }
  return static_cast<VocabType>(value);
}

// UTF-8 of a str read straight from its code points. PyUnicode_AsUTF8AndSize would also work,
// but it stores a UTF-8 copy inside every non-ASCII str it sees: 150k allocations that outlive
// the call for a byte-level vocabulary. Returns false for a lone surrogate (no UTF-8 form).
template <typename CodeUnit>
bool AppendUtf8(const CodeUnit* code_units, Py_ssize_t length, std::string* out) {
  size_t size = 0;
  for (Py_ssize_t index = 0; index < length; ++index) {
    const uint32_t code_point = code_units[index];
    size += code_point < 0x80 ? 1 : code_point < 0x800 ? 2 : code_point < 0x10000 ? 3 : 4;
  }
  out->resize(size);
  char* write = out->data();
  for (Py_ssize_t index = 0; index < length; ++index) {
    const uint32_t code_point = code_units[index];
    if (code_point < 0x80) {
      *write++ = static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      *write++ = static_cast<char>(0xC0 | (code_point >> 6));
      *write++ = static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
      *write++ = static_cast<char>(0xE0 | (code_point >> 12));
      *write++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      *write++ = static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
      *write++ = static_cast<char>(0xF0 | (code_point >> 18));
      *write++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
      *write++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      *write++ = static_cast<char>(0x80 | (code_point & 0x3F));
    }
  }
  return true;
}

bool AppendUtf8(PyObject* text, std::string* out) {
  const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
  switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
      return AppendUtf8(PyUnicode_1BYTE_DATA(text), length, out);
    case PyUnicode_2BYTE_KIND:
      return AppendUtf8(PyUnicode_2BYTE_DATA(text), length, out);
    default:
      return AppendUtf8(PyUnicode_4BYTE_DATA(text), length, out);
  }
}

// Each item is a str (taken as its UTF-8 bytes) or bytes (taken as is).
std::string TokenBytes(PyObject* item, size_t id) {
  if (PyBytes_Check(item)) {
    return std::string(PyBytes_AS_STRING(item), static_cast<size_t>(PyBytes_GET_SIZE(item)));
  }
  if (PyUnicode_Check(item)) {
    if (PyUnicode_IS_ASCII(item)) {
      return std::string(static_cast<const char*>(PyUnicode_DATA(item)),
                         static_cast<size_t>(PyUnicode_GET_LENGTH(item)));
    }
    std::string bytes;
    if (!AppendUtf8(item, &bytes)) {
      xgrammar::ThrowError(ErrorKind::kInvalidArgument,
                           "token " + std::to_string(id) +
                               " is a str with a lone surrogate, which has no UTF-8 form; pass "
                               "bytes instead");
    }
    return bytes;
  }
  xgrammar::ThrowError(ErrorKind::kInvalidArgument,
                       "token " + std::to_string(id) + " is of type " +
                           nb::type_name(nb::handle(item).type()).c_str() +
                           "; tokens must be str or bytes");
}

std::vector<std::string> VocabularyBytes(nb::handle vocabulary) {
  nb::object items = nb::steal(PySequence_Fast(vocabulary.ptr(), "vocabulary must be a sequence"));
  if (!items.is_valid()) {
    PyErr_Clear();
    xgrammar::ThrowError(ErrorKind::kInvalidArgument,
                         "the vocabulary must be a list of str or bytes");
  }
  const Py_ssize_t size = PySequence_Fast_GET_SIZE(items.ptr());
  PyObject** item_pointers = PySequence_Fast_ITEMS(items.ptr());
  std::vector<std::string> tokens;
  tokens.reserve(static_cast<size_t>(size));
  for (Py_ssize_t id = 0; id < size; ++id) {
    tokens.push_back(TokenBytes(item_pointers[id], static_cast<size_t>(id)));
  }
  return tokens;
}

nb::list BytesList(const std::vector<std::string>& tokens) {
  nb::list result;
  for (const std::string& token : tokens) {
    result.append(nb::steal(PyBytes_FromStringAndSize(token.data(), token.size())));
  }
  return result;
}

std::shared_ptr<TokenizerInfo> Build(std::vector<std::string> vocab, VocabType vocab_type,
                                     bool decode, std::optional<int32_t> vocab_size,
                                     std::vector<int32_t> stop_token_ids,
                                     std::vector<int32_t> special_token_ids,
                                     bool add_prefix_space) {
  nb::gil_scoped_release release;
  if (decode) xgrammar::DecodeVocabulary(&vocab, vocab_type);
  const int32_t size = vocab_size.value_or(static_cast<int32_t>(vocab.size()));
  return std::make_shared<TokenizerInfo>(std::move(vocab), vocab_type, size,
                                         std::move(stop_token_ids), std::move(special_token_ids),
                                         add_prefix_space);
}

void BindTokenizerInfo(nb::module_& module) {
  nb::class_<TokenizerInfo>(module, "TokenizerInfo",
                            "Immutable vocabulary information (exact bytes per token id, stop and "
                            "special tokens, sorted view); see cpp/tokenizer_info.h.")
      .def_static(
          "from_decoded_vocab",
          [](nb::handle decoded_vocab, int vocab_type, std::optional<int32_t> vocab_size,
             std::vector<int32_t> stop_token_ids, std::vector<int32_t> special_token_ids,
             bool add_prefix_space) {
            return Build(VocabularyBytes(decoded_vocab), ToVocabType(vocab_type), false, vocab_size,
                         std::move(stop_token_ids), std::move(special_token_ids), add_prefix_space);
          },
          nb::arg("decoded_vocab"), nb::arg("vocab_type"), nb::arg("vocab_size").none(),
          nb::arg("stop_token_ids"), nb::arg("special_token_ids"), nb::arg("add_prefix_space"),
          "Builds from tokens that are already their exact bytes.")
      .def_static(
          "from_encoded_vocab",
          [](nb::handle encoded_vocab, int vocab_type, std::optional<int32_t> vocab_size,
             std::vector<int32_t> stop_token_ids, std::vector<int32_t> special_token_ids,
             bool add_prefix_space) {
            return Build(VocabularyBytes(encoded_vocab), ToVocabType(vocab_type), true, vocab_size,
                         std::move(stop_token_ids), std::move(special_token_ids), add_prefix_space);
          },
          nb::arg("encoded_vocab"), nb::arg("vocab_type"), nb::arg("vocab_size").none(),
          nb::arg("stop_token_ids"), nb::arg("special_token_ids"), nb::arg("add_prefix_space"),
          "Decodes each token as the tokenizer spells it (per vocab_type), then builds.")
      .def_prop_ro("vocab_size", &TokenizerInfo::vocab_size)
      .def_prop_ro("vocab_type",
                   [](const TokenizerInfo& info) { return static_cast<int>(info.vocab_type()); })
      .def_prop_ro("add_prefix_space", &TokenizerInfo::add_prefix_space)
      .def_prop_ro("num_decoded_tokens",
                   [](const TokenizerInfo& info) { return info.decoded_vocab().size(); })
      .def("decoded_vocab",
           [](const TokenizerInfo& info) { return BytesList(info.decoded_vocab()); })
      .def("stop_token_ids", &TokenizerInfo::stop_token_ids)
      .def("special_token_ids", &TokenizerInfo::special_token_ids)
      .def("sorted_token_ids", &TokenizerInfo::sorted_token_ids)
      .def("sorted_common_prefix", &TokenizerInfo::sorted_common_prefix)
      .def("sorted_subtree_end", &TokenizerInfo::sorted_subtree_end)
      .def("memory_size_bytes", &TokenizerInfo::memory_size_bytes);

  module.def(
      "decode_token",
      [](nb::handle token, int vocab_type) {
        std::string bytes =
            xgrammar::DecodeToken(TokenBytes(token.ptr(), 0), ToVocabType(vocab_type));
        return nb::bytes(bytes.data(), bytes.size());
      },
      nb::arg("token"), nb::arg("vocab_type"),
      "The exact bytes of one token as a tokenizer of vocab_type spells it.");
}

const BindingRegistrar kRegistrar(10, BindTokenizerInfo);

}  // namespace
}  // namespace xgrammar_bindings
