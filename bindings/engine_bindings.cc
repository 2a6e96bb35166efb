// Python binding of the engine: compilation (with cancellation), CompiledGrammar, the matcher
// and the batch matcher. Bitmasks arrive as typed, C-contiguous int32 CPU arrays (numpy or
// torch through DLPack, never copied); xgrammar/matcher.py checks shapes and dtypes first so
// that misuse raises InvalidArgumentError. Everything that computes releases the GIL.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings/registry.h"
#include "cpp/compiled_grammar.h"
#include "cpp/error.h"
#include "cpp/grammar_matcher.h"
#include "cpp/thread_pool.h"

namespace xgrammar_bindings {
namespace {

using xgrammar::CompiledGrammar;
using xgrammar::Grammar;
using xgrammar::GrammarMatcher;
using xgrammar::TokenizerInfo;
using Bitmask = nb::ndarray<int32_t, nb::c_contig, nb::device::cpu>;

// A flag another thread sets to stop a compilation.
struct CancelToken {
  std::atomic<bool> cancelled{false};
};

std::shared_ptr<CompiledGrammar> Compile(const std::shared_ptr<Grammar>& grammar,
                                         const std::shared_ptr<TokenizerInfo>& tokenizer,
                                         int num_threads, CancelToken* cancel) {
  xgrammar::CompileOptions options;
  options.num_threads = num_threads;
  options.cancel = cancel != nullptr ? &cancel->cancelled : nullptr;
  return std::const_pointer_cast<CompiledGrammar>(
      xgrammar::CompileGrammar(grammar, tokenizer, options));
}

// The row `index` of a 1-D or 2-D bitmask, as words.
uint32_t* BitmaskRow(Bitmask& bitmask, int64_t index, int64_t* num_words) {
  if (bitmask.ndim() == 1) {
    if (index != 0) {
      xgrammar::ThrowError(xgrammar::ErrorKind::kInvalidArgument,
                           "a 1-D bitmask has only row 0, got index " + std::to_string(index));
    }
    *num_words = static_cast<int64_t>(bitmask.shape(0));
    return reinterpret_cast<uint32_t*>(bitmask.data());
  }
  if (bitmask.ndim() != 2) {
    xgrammar::ThrowError(xgrammar::ErrorKind::kInvalidArgument, "the bitmask must be 1-D or 2-D");
  }
  if (index < 0 || index >= static_cast<int64_t>(bitmask.shape(0))) {
    xgrammar::ThrowError(xgrammar::ErrorKind::kInvalidArgument,
                         "bitmask row " + std::to_string(index) + " is out of range for " +
                             std::to_string(bitmask.shape(0)) + " rows");
  }
  *num_words = static_cast<int64_t>(bitmask.shape(1));
  return reinterpret_cast<uint32_t*>(bitmask.data()) + index * (*num_words);
}

bool FillBitmask(GrammarMatcher& matcher, Bitmask bitmask, int64_t index) {
  int64_t num_words = 0;
  uint32_t* row = BitmaskRow(bitmask, index, &num_words);
  nb::gil_scoped_release release;
  return matcher.FillNextTokenBitmask(row, num_words);
}

class BatchMatcher {
 public:
  explicit BatchMatcher(int num_threads) : pool_(num_threads > 1 ? num_threads - 1 : 0) {}

  std::vector<bool> Fill(const std::vector<GrammarMatcher*>& matchers, Bitmask bitmask,
                         const std::optional<std::vector<int64_t>>& indices) {
    std::vector<uint32_t*> rows(matchers.size());
    std::vector<int64_t> widths(matchers.size());
    for (size_t i = 0; i < matchers.size(); ++i) {
      int64_t index = indices ? (*indices)[i] : static_cast<int64_t>(i);
      rows[i] = BitmaskRow(bitmask, index, &widths[i]);
    }
    std::vector<char> results(matchers.size());
    nb::gil_scoped_release release;
    pool_.ParallelFor(static_cast<int64_t>(matchers.size()), [&](int64_t i) {
      results[i] = matchers[i]->FillNextTokenBitmask(rows[i], widths[i]);
    });
    return std::vector<bool>(results.begin(), results.end());
  }

 private:
  xgrammar::ThreadPool pool_;
};

void BindEngine(nb::module_& module) {
  nb::class_<CancelToken>(module, "CancelToken", "Stops a compilation from another thread.")
      .def(nb::init<>())
      .def("cancel", [](CancelToken& token) { token.cancelled = true; })
      .def_prop_ro("cancelled", [](const CancelToken& token) { return token.cancelled.load(); });

  nb::class_<CompiledGrammar>(module, "CompiledGrammar")
      .def_prop_ro(
          "grammar",
          [](const CompiledGrammar& c) { return std::const_pointer_cast<Grammar>(c.grammar()); })
      .def_prop_ro("tokenizer_info",
                   [](const CompiledGrammar& c) {
                     return std::const_pointer_cast<TokenizerInfo>(c.tokenizer());
                   })
      .def_prop_ro("memory_size_bytes", &CompiledGrammar::memory_size_bytes)
      .def_prop_ro("num_automaton_states",
                   [](const CompiledGrammar& c) { return c.automaton().num_states(); })
      .def("_state_mask_summary",
           [](const CompiledGrammar& c) {
             // Test and profiling aid: (state, rule, storage, stored tokens, uncertain tokens).
             nb::list rows;
             for (int32_t s = 0; s < c.automaton().num_states(); ++s) {
               const xgrammar::StateTokenMask& mask = c.mask(s);
               if (mask.storage == xgrammar::StateTokenMask::Storage::kNone) continue;
               rows.append(nb::make_tuple(s, c.automaton().state_rule(s),
                                          static_cast<int>(mask.storage), mask.tokens.size(),
                                          mask.uncertain.size()));
             }
             return rows;
           })
      .def_prop_ro("mask_cache_stats", [](const CompiledGrammar& c) {
        const xgrammar::TokenMaskCacheStats& s = c.stats();
        nb::dict d;
        d["states"] = s.states;
        d["accepted"] = s.accepted;
        d["rejected"] = s.rejected;
        d["uncertain"] = s.uncertain;
        return d;
      });

  module.def("compile_grammar", &Compile, nb::arg("grammar"), nb::arg("tokenizer_info"),
             nb::arg("num_threads"), nb::arg("cancel_token").none(),
             nb::call_guard<nb::gil_scoped_release>());

  nb::class_<GrammarMatcher>(module, "GrammarMatcher")
      .def(
          "__init__",
          [](GrammarMatcher* self, const std::shared_ptr<CompiledGrammar>& compiled,
             std::optional<std::vector<int32_t>> stop_token_ids, bool terminate_without_stop_token,
             int32_t max_rollback_tokens) {
            new (self) GrammarMatcher(compiled, std::move(stop_token_ids),
                                      terminate_without_stop_token, max_rollback_tokens);
          },
          nb::arg("compiled"), nb::arg("stop_token_ids").none(),
          nb::arg("terminate_without_stop_token"), nb::arg("max_rollback_tokens"))
      .def("accept_token", &GrammarMatcher::AcceptToken, nb::arg("token_id"),
           nb::call_guard<nb::gil_scoped_release>())
      .def(
          "accept_bytes",
          [](GrammarMatcher& m, const nb::bytes& data) {
            std::string owned(data.c_str(), data.size());
            nb::gil_scoped_release release;
            return m.AcceptBytes({reinterpret_cast<const uint8_t*>(owned.data()), owned.size()});
          },
          nb::arg("data"))
      .def("fill_next_token_bitmask", &FillBitmask, nb::arg("bitmask").noconvert(),
           nb::arg("index"))
      .def("find_jump_forward_bytes",
           [](GrammarMatcher& m) {
             std::string s;
             {
               nb::gil_scoped_release release;
               s = m.FindJumpForwardString();
             }
             return nb::bytes(s.data(), s.size());
           })
      .def("rollback", &GrammarMatcher::Rollback, nb::arg("num_tokens"),
           nb::call_guard<nb::gil_scoped_release>())
      .def("reset", &GrammarMatcher::Reset, nb::call_guard<nb::gil_scoped_release>())
      .def("is_terminated", &GrammarMatcher::IsTerminated)
      .def("is_completed", &GrammarMatcher::IsCompleted)
      .def("fork", [](const GrammarMatcher& m) { return GrammarMatcher(m); })
      .def_prop_ro("stop_token_ids", &GrammarMatcher::stop_token_ids)
      .def_prop_ro("num_accepted_tokens", &GrammarMatcher::num_accepted_tokens);

  nb::class_<BatchMatcher>(module, "BatchMatcher")
      .def(nb::init<int>(), nb::arg("num_threads"))
      .def("fill", &BatchMatcher::Fill, nb::arg("matchers"), nb::arg("bitmask").noconvert(),
           nb::arg("indices").none());
}

const BindingRegistrar kRegistrar(40, BindEngine);

}  // namespace
}  // namespace xgrammar_bindings
