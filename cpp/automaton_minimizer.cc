// Partition refinement (Moore's algorithm) over the states of a GrammarAutomaton; see
// automaton_minimizer.h. Each round gives every state a signature made of its current class
// and its edges into classes, then renumbers; it stops when no class splits.
#include "cpp/automaton_minimizer.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "cpp/cancel_poller.h"

namespace xgrammar {

class GrammarAutomatonMinimizer {
 public:
  static GrammarAutomaton Run(const GrammarAutomaton& in, const std::atomic<bool>* cancel) {
    const int32_t n = in.num_states();
    std::vector<int32_t> cls(n);
    {
      std::map<std::pair<RuleId, bool>, int32_t> initial;
      int32_t next_unique = 0;
      std::vector<int32_t> unique_id(n, -1);
      for (StateId s = 0; s < n; ++s) {
        if (in.state_rule(s) < 0) unique_id[s] = next_unique++;
      }
      for (StateId s = 0; s < n; ++s) {
        if (in.state_rule(s) < 0) {
          // Lookahead-machine states stay distinct: negative keys cannot collide with rules.
          cls[s] = static_cast<int32_t>(initial.size());
          initial.emplace(std::make_pair(-2 - unique_id[s], false), cls[s]);
          continue;
        }
        auto key = std::make_pair(in.state_rule(s), in.is_final(s));
        auto it = initial.emplace(key, static_cast<int32_t>(initial.size())).first;
        cls[s] = it->second;
      }
    }
    int32_t num_classes = 0;
    for (int32_t c : cls) num_classes = std::max(num_classes, c + 1);
    std::vector<int32_t> signature;
    int64_t signatures_computed = 0;
    CancelPoller poller(cancel);
    for (;;) {
      signatures_computed += n;
      if (signatures_computed > kMaxRefinementSignatures) return in;
      std::map<std::vector<int32_t>, int32_t> index;
      std::vector<int32_t> next(n);
      for (StateId s = 0; s < n; ++s) {
        poller.Tick(1 + static_cast<int64_t>(in.byte_edges(s).size() + in.call_edges(s).size()));
        Signature(in, s, cls, &signature);
        next[s] = index.emplace(signature, static_cast<int32_t>(index.size())).first->second;
      }
      int32_t count = static_cast<int32_t>(index.size());
      cls = std::move(next);
      if (count == num_classes) break;
      num_classes = count;
    }
    return Rebuild(in, cls, num_classes);
  }

 private:
  // Byte edges as (lo, hi, target class) with adjacent ranges of one class merged.
  static std::vector<std::tuple<int, int, int32_t>> ClassEdges(const GrammarAutomaton& in,
                                                               StateId s,
                                                               const std::vector<int32_t>& cls) {
    std::vector<std::tuple<int, int, int32_t>> edges;
    for (const ByteEdge& e : in.byte_edges(s)) edges.emplace_back(e.lo, e.hi, cls[e.target]);
    std::sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<2>(a), std::get<0>(a), std::get<1>(a)) <
             std::tie(std::get<2>(b), std::get<0>(b), std::get<1>(b));
    });
    std::vector<std::tuple<int, int, int32_t>> merged;
    for (const auto& e : edges) {
      if (!merged.empty() && std::get<2>(merged.back()) == std::get<2>(e) &&
          std::get<0>(e) <= std::get<1>(merged.back()) + 1) {
        std::get<1>(merged.back()) = std::max(std::get<1>(merged.back()), std::get<1>(e));
      } else {
        merged.push_back(e);
      }
    }
    std::sort(merged.begin(), merged.end());
    return merged;
  }

  static void Signature(const GrammarAutomaton& in, StateId s, const std::vector<int32_t>& cls,
                        std::vector<int32_t>* out) {
    out->clear();
    out->push_back(cls[s]);
    for (const auto& [lo, hi, target] : ClassEdges(in, s, cls)) {
      out->push_back(lo);
      out->push_back(hi);
      out->push_back(target);
    }
    out->push_back(-1);
    std::vector<std::pair<RuleId, int32_t>> calls;
    for (const CallEdge& c : in.call_edges(s)) calls.emplace_back(c.rule, cls[c.target]);
    std::sort(calls.begin(), calls.end());
    calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
    for (const auto& [rule, target] : calls) {
      out->push_back(rule);
      out->push_back(target);
    }
  }

  static GrammarAutomaton Rebuild(const GrammarAutomaton& in, const std::vector<int32_t>& cls,
                                  int32_t num_classes) {
    std::vector<StateId> representative(num_classes, -1);
    for (StateId s = 0; s < in.num_states(); ++s) {
      if (representative[cls[s]] < 0) representative[cls[s]] = s;
    }
    GrammarAutomaton out;
    out.byte_edge_offsets_.push_back(0);
    out.call_edge_offsets_.push_back(0);
    for (int32_t c = 0; c < num_classes; ++c) {
      StateId s = representative[c];
      out.state_rule_.push_back(in.state_rule(s));
      out.state_final_.push_back(in.is_final(s));
      for (const auto& [lo, hi, target] : ClassEdges(in, s, cls)) {
        out.byte_edges_.push_back(
            {static_cast<uint8_t>(lo), static_cast<uint8_t>(hi), static_cast<StateId>(target)});
      }
      std::vector<std::pair<RuleId, int32_t>> calls;
      for (const CallEdge& e : in.call_edges(s)) calls.emplace_back(e.rule, cls[e.target]);
      std::sort(calls.begin(), calls.end());
      calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
      for (const auto& [rule, target] : calls) out.call_edges_.push_back({rule, target});
      out.byte_edge_offsets_.push_back(static_cast<int32_t>(out.byte_edges_.size()));
      out.call_edge_offsets_.push_back(static_cast<int32_t>(out.call_edges_.size()));
    }
    for (RuleId r = 0; r < in.num_rules(); ++r) {
      out.rule_start_.push_back(cls[in.rule_start(r)]);
      StateId la = in.rule_lookahead_start(r);
      out.rule_lookahead_start_.push_back(la < 0 ? -1 : cls[la]);
      out.rule_nullable_.push_back(in.rule_nullable(r));
      out.rule_productive_.push_back(in.rule_productive(r));
    }
    return out;
  }
};

GrammarAutomaton MergeEquivalentStates(const GrammarAutomaton& automaton,
                                       const std::atomic<bool>* cancel) {
  return GrammarAutomatonMinimizer::Run(automaton, cancel);
}

}  // namespace xgrammar
