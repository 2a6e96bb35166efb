// Test-only bindings of the grammar passes (grammar_opt/): each pass and analysis by name, so
// that tests can check them one at a time against expected printed text and against the
// reference recognizer. The names start with an underscore: they are not public API;
// xgrammar/testing.py wraps them.
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "bindings/registry.h"
#include "cpp/error.h"
#include "cpp/grammar.h"
#include "grammar_opt/eliminate_dead_rules.h"
#include "grammar_opt/follow.h"
#include "grammar_opt/fuse_byte_strings.h"
#include "grammar_opt/inline_rules.h"
#include "grammar_opt/normalize_structure.h"
#include "grammar_opt/nullable.h"
#include "grammar_opt/pipeline.h"

namespace xgrammar_bindings {
namespace {

using xgrammar::Grammar;
using xgrammar::GrammarPtr;
using GrammarHandle = std::shared_ptr<Grammar>;

GrammarHandle RunPass(const GrammarHandle& grammar, const std::string& pass_name) {
  GrammarPtr result;
  if (pass_name == "normalize_structure") {
    result = xgrammar::NormalizeStructure(*grammar);
  } else if (pass_name == "inline_rules") {
    result = xgrammar::InlineRules(*grammar);
  } else if (pass_name == "fuse_byte_strings") {
    result = xgrammar::FuseByteStrings(*grammar);
  } else if (pass_name == "eliminate_dead_rules") {
    result = xgrammar::EliminateDeadRules(*grammar);
  } else if (pass_name == "pipeline") {
    result = xgrammar::OptimizeGrammar(grammar);
  } else {
    xgrammar::ThrowError(xgrammar::ErrorKind::kInvalidArgument,
                         "unknown grammar pass \"" + pass_name + "\"");
  }
  return std::const_pointer_cast<Grammar>(result);
}

std::vector<int> Members(const xgrammar::ByteSet& set) {
  std::vector<int> members;
  for (int byte = 0; byte < 256; ++byte) {
    if (set.Test(static_cast<uint8_t>(byte))) members.push_back(byte);
  }
  return members;
}

// (first_bytes, follow_bytes, can_end_input), one entry per rule; byte sets as sorted lists.
std::tuple<std::vector<std::vector<int>>, std::vector<std::vector<int>>, std::vector<bool>>
FollowInfoOf(const GrammarHandle& grammar) {
  xgrammar::FollowInfo info = xgrammar::ComputeFollowInfo(*grammar);
  std::vector<std::vector<int>> first;
  std::vector<std::vector<int>> follow;
  for (const xgrammar::ByteSet& set : info.first_bytes) first.push_back(Members(set));
  for (const xgrammar::ByteSet& set : info.follow_bytes) follow.push_back(Members(set));
  return {first, follow, info.can_end_input};
}

void BindGrammarPasses(nb::module_& module) {
  module.def("_optimize", &RunPass, nb::arg("grammar"), nb::arg("pass_name"),
             nb::call_guard<nb::gil_scoped_release>(),
             "Runs one pass of grammar_opt/ by name (or \"pipeline\" for all of them).");
  module.def(
      "_nullable_rules",
      [](const GrammarHandle& grammar) { return xgrammar::ComputeNullableRules(*grammar); },
      nb::arg("grammar"), nb::call_guard<nb::gil_scoped_release>(),
      "Per rule: whether it derives the empty string.");
  module.def(
      "_productive_rules",
      [](const GrammarHandle& grammar) {
        return xgrammar::ComputeProductivity(*grammar).rule_productive;
      },
      nb::arg("grammar"), nb::call_guard<nb::gil_scoped_release>(),
      "Per rule: whether it derives some finite string (and its lookahead does).");
  module.def("_follow_info", &FollowInfoOf, nb::arg("grammar"),
             nb::call_guard<nb::gil_scoped_release>(),
             "Per rule: (first bytes, follow bytes, can end the input).");
}

const BindingRegistrar kRegistrar(30, BindGrammarPasses);

}  // namespace
}  // namespace xgrammar_bindings
