// Builds the GrammarAutomaton of a Grammar; see grammar_automaton.h.
//
// Steps: a Thompson construction per rule (epsilon edges allowed; the literal alternatives of
// a choice share a trie), epsilon removal, the productive/nullable fixpoints over rules,
// trimming of dead states, and determinisation of the lookahead machines. Expression trees are
// walked recursively, but never deeper than Limits::max_nesting_depth: every front end bounds the
// nesting it produces.
#include "cpp/grammar_automaton.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "cpp/cancel_poller.h"
#include "cpp/error.h"
#include "cpp/resource_limits.h"
#include "cpp/utf8_ranges.h"

namespace xgrammar {

StateId GrammarAutomaton::LookaheadStep(StateId s, uint8_t byte) const {
  for (const ByteEdge& e : byte_edges(s)) {
    if (e.lo <= byte && byte <= e.hi) return e.target;
  }
  return -1;
}

size_t GrammarAutomaton::memory_size_bytes() const {
  return state_rule_.size() * (sizeof(RuleId) + 1 + 2 * sizeof(int32_t)) +
         byte_edges_.size() * sizeof(ByteEdge) + call_edges_.size() * sizeof(CallEdge) +
         rule_start_.size() * (2 * sizeof(StateId) + 2);
}

// The mutable construction state; a friend of GrammarAutomaton.
class GrammarAutomatonBuilder {
 public:
  GrammarAutomatonBuilder(const Grammar& grammar, const std::atomic<bool>* cancel)
      : grammar_(grammar), limits_(GetLimits()), poller_(cancel) {}

  GrammarAutomaton Build() {
    int32_t num_rules = grammar_.num_rules();
    std::vector<StateId> nfa_start(num_rules);
    std::vector<StateId> nfa_end(num_rules);
    for (RuleId r = 0; r < num_rules; ++r) {
      Fragment f = BuildExpr(grammar_.rule(r).body, 0, /*inline_rules=*/false);
      nfa_start[r] = f.start;
      nfa_end[r] = f.end;
      rule_of_state_.resize(nfa_.size(), r);
    }
    std::vector<StateId> lookahead_nfa_start(num_rules, -1);
    std::vector<StateId> lookahead_nfa_end(num_rules, -1);
    for (RuleId r = 0; r < num_rules; ++r) {
      if (grammar_.rule(r).lookahead == kNoExpr) continue;
      inline_stack_.clear();
      Fragment f = BuildExpr(grammar_.rule(r).lookahead, 0, /*inline_rules=*/true);
      lookahead_nfa_start[r] = f.start;
      lookahead_nfa_end[r] = f.end;
      rule_of_state_.resize(nfa_.size(), -1);
    }
    LoopSelfTailCalls(nfa_start, nfa_end);
    RemoveEpsilons(nfa_start, nfa_end, lookahead_nfa_end);
    return Finish(nfa_start, lookahead_nfa_start);
  }

 private:
  struct NfaState {
    std::vector<StateId> epsilon;
    std::vector<ByteEdge> bytes;
    std::vector<CallEdge> calls;
    bool final = false;
  };
  struct Fragment {
    StateId start;
    StateId end;
  };

  StateId NewState() {
    if (static_cast<int64_t>(nfa_.size()) >= limits_.max_automaton_states) {
      ThrowError(ErrorKind::kLimitExceeded, "the grammar needs more than max_automaton_states (" +
                                                std::to_string(limits_.max_automaton_states) +
                                                ") automaton states");
    }
    poller_.Tick();
    nfa_.emplace_back();
    return static_cast<StateId>(nfa_.size()) - 1;
  }

  Fragment BuildExpr(ExprId id, int depth, bool inline_rules) {
    if (depth > limits_.max_nesting_depth + 64) {
      ThrowError(ErrorKind::kLimitExceeded, "expressions nest deeper than max_nesting_depth (" +
                                                std::to_string(limits_.max_nesting_depth) + ")");
    }
    const Expr& e = grammar_.expr(id);
    switch (e.kind) {
      case ExprKind::kEmpty: {
        StateId s = NewState();
        return {s, s};
      }
      case ExprKind::kByteString: {
        StateId start = NewState();
        StateId current = start;
        for (char c : e.bytes) {
          StateId next = NewState();
          uint8_t b = static_cast<uint8_t>(c);
          nfa_[current].bytes.push_back({b, b, next});
          current = next;
        }
        return {start, current};
      }
      case ExprKind::kCharClass: {
        StateId start = NewState();
        StateId end = NewState();
        for (const Utf8Sequence& seq :
             CodepointRangesToUtf8(ResolveCharClass(e.ranges, e.negated))) {
          StateId current = start;
          for (size_t i = 0; i < seq.size(); ++i) {
            StateId next = i + 1 == seq.size() ? end : NewState();
            nfa_[current].bytes.push_back({seq[i].lo, seq[i].hi, next});
            current = next;
          }
        }
        return {start, end};
      }
      case ExprKind::kSequence: {
        Fragment first = BuildExpr(e.children[0], depth + 1, inline_rules);
        StateId end = first.end;
        for (size_t i = 1; i < e.children.size(); ++i) {
          Fragment f = BuildExpr(e.children[i], depth + 1, inline_rules);
          nfa_[end].epsilon.push_back(f.start);
          end = f.end;
        }
        return {first.start, end};
      }
      case ExprKind::kChoice: {
        StateId start = NewState();
        StateId end = NewState();
        std::vector<const std::string*> literals;
        for (ExprId child : e.children) {
          if (grammar_.expr(child).kind == ExprKind::kByteString) {
            literals.push_back(&grammar_.expr(child).bytes);
            continue;
          }
          Fragment f = BuildExpr(child, depth + 1, inline_rules);
          nfa_[start].epsilon.push_back(f.start);
          nfa_[f.end].epsilon.push_back(end);
        }
        if (!literals.empty()) AddLiteralTrie(literals, start, end);
        return {start, end};
      }
      case ExprKind::kRuleRef: {
        if (inline_rules) return InlineRule(e.rule, depth);
        StateId start = NewState();
        StateId end = NewState();
        nfa_[start].calls.push_back({e.rule, end});
        return {start, end};
      }
      case ExprKind::kRepeat:
        return BuildRepeat(e, depth, inline_rules);
    }
    ThrowError(ErrorKind::kInvalidGrammar, "unknown expression kind");
  }

  // The literal alternatives of a choice, as a trie from `start` whose word ends lead to `end`.
  // One chain per literal would make the start state's closure as large as the alternation:
  // an enum of 100,000 strings gave every Earley step and every mask-cache walk 100,000 items.
  // The trie keeps the automaton deterministic on shared prefixes; shared suffixes are merged
  // later by the minimiser.
  void AddLiteralTrie(std::vector<const std::string*> literals, StateId start, StateId end) {
    // Sorted, a literal shares its longest common prefix with its predecessor, so the trie is
    // built along one path: `path[d]` is the state after the first d bytes of the last literal.
    std::sort(literals.begin(), literals.end(),
              [](const std::string* a, const std::string* b) { return *a < *b; });
    std::vector<StateId> path{start};
    const std::string* previous = nullptr;
    for (const std::string* literal : literals) {
      size_t shared = 0;
      if (previous != nullptr) {
        while (shared < previous->size() && shared < literal->size() &&
               (*previous)[shared] == (*literal)[shared]) {
          ++shared;
        }
      }
      path.resize(shared + 1);
      for (size_t d = shared; d < literal->size(); ++d) {
        StateId next = NewState();
        uint8_t b = static_cast<uint8_t>((*literal)[d]);
        nfa_[path[d]].bytes.push_back({b, b, next});
        path.push_back(next);
      }
      if (previous == nullptr || *previous != *literal) nfa_[path.back()].epsilon.push_back(end);
      previous = literal;
    }
  }

  Fragment BuildRepeat(const Expr& e, int depth, bool inline_rules) {
    if (e.max != kUnbounded && e.max > limits_.max_repetition_bound) {
      ThrowError(ErrorKind::kLimitExceeded, "repetition bound " + std::to_string(e.max) +
                                                " is above max_repetition_bound (" +
                                                std::to_string(limits_.max_repetition_bound) + ")");
    }
    StateId start = NewState();
    StateId current = start;
    for (int32_t i = 0; i < e.min; ++i) {
      Fragment f = BuildExpr(e.children[0], depth + 1, inline_rules);
      nfa_[current].epsilon.push_back(f.start);
      current = f.end;
    }
    if (e.max == kUnbounded) {
      Fragment f = BuildExpr(e.children[0], depth + 1, inline_rules);
      nfa_[current].epsilon.push_back(f.start);
      nfa_[f.end].epsilon.push_back(current);
      return {start, current};
    }
    StateId end = NewState();
    nfa_[current].epsilon.push_back(end);
    for (int32_t i = e.min; i < e.max; ++i) {
      Fragment f = BuildExpr(e.children[0], depth + 1, inline_rules);
      nfa_[current].epsilon.push_back(f.start);
      nfa_[f.end].epsilon.push_back(end);
      current = f.end;
    }
    return {start, end};
  }

  // Lookahead machines must be call-free: referenced rules are expanded in place, which is
  // only possible when they are not recursive.
  Fragment InlineRule(RuleId rule, int depth) {
    if (std::find(inline_stack_.begin(), inline_stack_.end(), rule) != inline_stack_.end()) {
      ThrowError(ErrorKind::kUnsupported, "the lookahead assertion refers to rule \"" +
                                              grammar_.rule(rule).name +
                                              "\", which is recursive; lookahead assertions "
                                              "must be regular");
    }
    inline_stack_.push_back(rule);
    Fragment f = BuildExpr(grammar_.rule(rule).body, depth + 1, true);
    inline_stack_.pop_back();
    return f;
  }

  // A call of a rule by itself after which the rule can only end (`x ::= "a" x | "b"`, the
  // shape front ends give regular languages) becomes an epsilon edge back to the rule's start:
  // the same language, but one rule instance loops instead of nesting one instance per
  // repetition, so the matcher's sets stay small and their completions short. Rules with a
  // lookahead assertion keep their calls (each instance checks its assertion).
  void LoopSelfTailCalls(const std::vector<StateId>& rule_start,
                         const std::vector<StateId>& rule_end) {
    const StateId n = static_cast<StateId>(nfa_.size());
    for (StateId s = 0; s < n; ++s) {
      const RuleId r = rule_of_state_[s];
      if (r < 0 || grammar_.rule(r).lookahead != kNoExpr) continue;
      std::vector<CallEdge>& calls = nfa_[s].calls;
      for (size_t k = 0; k < calls.size();) {
        if (calls[k].rule == r && OnlyEndsAfter(calls[k].target, rule_end[r])) {
          nfa_[s].epsilon.push_back(rule_start[r]);
          calls.erase(calls.begin() + static_cast<std::ptrdiff_t>(k));
        } else {
          ++k;
        }
      }
    }
  }

  // From `state`, epsilon edges lead to `end` and nowhere a byte or a call can be taken.
  // Gives up (false) past a few states: tail positions are short epsilon chains.
  bool OnlyEndsAfter(StateId state, StateId end) {
    constexpr size_t kMaxVisited = 64;
    std::vector<StateId> visited{state};
    bool reaches_end = false;
    for (size_t i = 0; i < visited.size(); ++i) {
      const NfaState& at = nfa_[visited[i]];
      if (!at.bytes.empty() || !at.calls.empty()) return false;
      reaches_end = reaches_end || visited[i] == end;
      for (StateId next : at.epsilon) {
        if (std::find(visited.begin(), visited.end(), next) != visited.end()) continue;
        if (visited.size() == kMaxVisited) return false;
        visited.push_back(next);
      }
    }
    return reaches_end;
  }

  // Replaces epsilon edges: each state takes the edges of its epsilon closure.
  void RemoveEpsilons(const std::vector<StateId>& rule_start, const std::vector<StateId>& rule_end,
                      const std::vector<StateId>& lookahead_end) {
    for (StateId s : rule_end) nfa_[s].final = true;
    for (StateId s : lookahead_end) {
      if (s >= 0) nfa_[s].final = true;
    }
    std::vector<int32_t> mark(nfa_.size(), -1);
    std::vector<StateId> stack;
    std::vector<NfaState> closed(nfa_.size());
    for (StateId s = 0; s < static_cast<StateId>(nfa_.size()); ++s) {
      stack.assign(1, s);
      mark[s] = s;
      NfaState& out = closed[s];
      while (!stack.empty()) {
        StateId t = stack.back();
        stack.pop_back();
        const NfaState& in = nfa_[t];
        poller_.Tick(1 + static_cast<int64_t>(in.bytes.size() + in.calls.size()));
        out.final = out.final || in.final;
        out.bytes.insert(out.bytes.end(), in.bytes.begin(), in.bytes.end());
        out.calls.insert(out.calls.end(), in.calls.begin(), in.calls.end());
        for (StateId u : in.epsilon) {
          if (mark[u] != s) {
            mark[u] = s;
            stack.push_back(u);
          }
        }
      }
      auto byte_less = [](const ByteEdge& a, const ByteEdge& b) {
        return std::tie(a.lo, a.hi, a.target) < std::tie(b.lo, b.hi, b.target);
      };
      auto byte_eq = [](const ByteEdge& a, const ByteEdge& b) {
        return a.lo == b.lo && a.hi == b.hi && a.target == b.target;
      };
      std::sort(out.bytes.begin(), out.bytes.end(), byte_less);
      out.bytes.erase(std::unique(out.bytes.begin(), out.bytes.end(), byte_eq), out.bytes.end());
      auto call_less = [](const CallEdge& a, const CallEdge& b) {
        return std::tie(a.rule, a.target) < std::tie(b.rule, b.target);
      };
      auto call_eq = [](const CallEdge& a, const CallEdge& b) {
        return a.rule == b.rule && a.target == b.target;
      };
      std::sort(out.calls.begin(), out.calls.end(), call_less);
      out.calls.erase(std::unique(out.calls.begin(), out.calls.end(), call_eq), out.calls.end());
    }
    nfa_ = std::move(closed);
  }

  // Productive and nullable rules (fixpoints), dead-state trimming, renumbering, and the
  // lookahead machines' determinisation.
  GrammarAutomaton Finish(const std::vector<StateId>& rule_start,
                          const std::vector<StateId>& lookahead_start) {
    int32_t num_rules = grammar_.num_rules();
    int32_t n = static_cast<int32_t>(nfa_.size());
    std::vector<uint8_t> productive(num_rules, 0);
    std::vector<uint8_t> nullable(num_rules, 0);
    // A rule is nullable if its start reaches a final state through calls of nullable rules
    // only; productive if through bytes and calls of productive rules.
    // `seen` is shared by all searches, told apart by a generation number: a fresh vector per
    // search would cost O(states) each time, O(rules x states) per fixpoint round.
    std::vector<uint32_t> seen(n, 0);
    uint32_t generation = 0;
    auto reaches_final = [&](StateId start, bool bytes_allowed,
                             const std::vector<uint8_t>& callable) {
      std::vector<StateId> stack{start};
      if (++generation == 0) {
        std::fill(seen.begin(), seen.end(), 0);
        generation = 1;
      }
      seen[start] = generation;
      while (!stack.empty()) {
        StateId s = stack.back();
        stack.pop_back();
        poller_.Tick();
        if (nfa_[s].final) return true;
        auto visit = [&](StateId t) {
          if (seen[t] != generation) {
            seen[t] = generation;
            stack.push_back(t);
          }
        };
        if (bytes_allowed) {
          for (const ByteEdge& e : nfa_[s].bytes) visit(e.target);
        }
        for (const CallEdge& c : nfa_[s].calls) {
          if (callable[c.rule]) visit(c.target);
        }
      }
      return false;
    };
    for (bool changed = true; changed;) {
      changed = false;
      for (RuleId r = 0; r < num_rules; ++r) {
        if (!productive[r] && reaches_final(rule_start[r], true, productive)) {
          productive[r] = 1;
          changed = true;
        }
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (RuleId r = 0; r < num_rules; ++r) {
        if (!nullable[r] && reaches_final(rule_start[r], false, nullable)) {
          nullable[r] = 1;
          changed = true;
        }
      }
    }
    // Drop calls of unproductive rules, then keep only states that are reachable from their
    // rule's start (or lookahead start) and can reach a final state.
    for (NfaState& s : nfa_) {
      std::erase_if(s.calls, [&](const CallEdge& c) { return !productive[c.rule]; });
    }
    std::vector<std::vector<StateId>> reverse(n);
    for (StateId s = 0; s < n; ++s) {
      poller_.Tick(1 + static_cast<int64_t>(nfa_[s].bytes.size()));
      for (const ByteEdge& e : nfa_[s].bytes) reverse[e.target].push_back(s);
      for (const CallEdge& c : nfa_[s].calls) reverse[c.target].push_back(s);
    }
    live_.assign(n, 0);
    std::vector<uint8_t>& live = live_;
    std::vector<StateId> stack;
    for (StateId s = 0; s < n; ++s) {
      if (nfa_[s].final) {
        live[s] = 1;
        stack.push_back(s);
      }
    }
    while (!stack.empty()) {
      StateId s = stack.back();
      stack.pop_back();
      for (StateId p : reverse[s]) {
        if (!live[p]) {
          live[p] = 1;
          stack.push_back(p);
        }
      }
    }
    std::vector<uint8_t> reachable(n, 0);
    for (RuleId r = 0; r < num_rules; ++r) {
      for (StateId start : {rule_start[r], lookahead_start[r]}) {
        if (start >= 0 && !reachable[start]) {
          reachable[start] = 1;
          stack.push_back(start);
        }
      }
    }
    while (!stack.empty()) {
      StateId s = stack.back();
      stack.pop_back();
      auto visit = [&](StateId t) {
        if (live[t] && !reachable[t]) {
          reachable[t] = 1;
          stack.push_back(t);
        }
      };
      for (const ByteEdge& e : nfa_[s].bytes) visit(e.target);
      for (const CallEdge& c : nfa_[s].calls) visit(c.target);
    }
    // Renumber: every rule start is kept (an unproductive rule's start has no edges).
    std::vector<StateId> new_id(n, -1);
    GrammarAutomaton out;
    auto add_state = [&](StateId s) {
      new_id[s] = static_cast<StateId>(out.state_rule_.size());
      out.state_rule_.push_back(rule_of_state_[s]);
    };
    std::vector<uint8_t> is_rule_start(n, 0);
    for (StateId s : rule_start) is_rule_start[s] = 1;
    for (StateId s = 0; s < n; ++s) {
      if ((reachable[s] || is_rule_start[s]) && rule_of_state_[s] >= 0) add_state(s);
    }
    // Lookahead machines are determinised into fresh states after the rule states.
    std::vector<StateId> lookahead_dfa_start(num_rules, -1);
    std::vector<std::vector<ByteEdge>> lookahead_edges;
    std::vector<uint8_t> lookahead_final;
    for (RuleId r = 0; r < num_rules; ++r) {
      StateId start = lookahead_start[r];
      // A nullable assertion always holds; an empty one never does (its machine has no edges).
      if (start < 0 || nfa_[start].final) continue;
      lookahead_dfa_start[r] = Determinize(start, &lookahead_edges, &lookahead_final);
    }
    int32_t num_rule_states = static_cast<int32_t>(out.state_rule_.size());
    out.byte_edge_offsets_.push_back(0);
    out.call_edge_offsets_.push_back(0);
    for (StateId s = 0; s < n; ++s) {
      if (new_id[s] < 0) continue;
      poller_.Tick(1 + static_cast<int64_t>(nfa_[s].bytes.size()));
      out.state_final_.push_back(nfa_[s].final);
      for (const ByteEdge& e : nfa_[s].bytes) {
        if (new_id[e.target] >= 0 && reachable[e.target]) {
          out.byte_edges_.push_back({e.lo, e.hi, new_id[e.target]});
        }
      }
      for (const CallEdge& c : nfa_[s].calls) {
        if (new_id[c.target] >= 0 && reachable[c.target]) {
          out.call_edges_.push_back({c.rule, new_id[c.target]});
        }
      }
      out.byte_edge_offsets_.push_back(static_cast<int32_t>(out.byte_edges_.size()));
      out.call_edge_offsets_.push_back(static_cast<int32_t>(out.call_edges_.size()));
    }
    for (size_t d = 0; d < lookahead_edges.size(); ++d) {
      out.state_rule_.push_back(-1);
      out.state_final_.push_back(lookahead_final[d]);
      for (const ByteEdge& e : lookahead_edges[d]) {
        out.byte_edges_.push_back({e.lo, e.hi, e.target + num_rule_states});
      }
      out.byte_edge_offsets_.push_back(static_cast<int32_t>(out.byte_edges_.size()));
      out.call_edge_offsets_.push_back(static_cast<int32_t>(out.call_edges_.size()));
    }
    for (RuleId r = 0; r < num_rules; ++r) {
      out.rule_start_.push_back(new_id[rule_start[r]]);
      out.rule_lookahead_start_.push_back(
          lookahead_dfa_start[r] < 0 ? -1 : lookahead_dfa_start[r] + num_rule_states);
    }
    out.rule_nullable_ = std::move(nullable);
    out.rule_productive_ = std::move(productive);
    return out;
  }

  // Subset construction of the call-free machine at `start`; appends DFA states to `edges` /
  // `finals` and returns the start's index. A final DFA state has no outgoing edges: reaching
  // it satisfies the assertion.
  StateId Determinize(StateId start, std::vector<std::vector<ByteEdge>>* edges,
                      std::vector<uint8_t>* finals) {
    std::map<std::vector<StateId>, StateId> index;
    std::vector<std::vector<StateId>> pending;
    auto intern = [&](std::vector<StateId> set) {
      std::sort(set.begin(), set.end());
      set.erase(std::unique(set.begin(), set.end()), set.end());
      auto it = index.find(set);
      if (it != index.end()) return it->second;
      StateId id = static_cast<StateId>(edges->size());
      if (id >= limits_.max_automaton_states) {
        ThrowError(ErrorKind::kLimitExceeded, "a lookahead assertion needs too many states");
      }
      edges->emplace_back();
      bool final = false;
      for (StateId s : set) final = final || nfa_[s].final;
      finals->push_back(final);
      index.emplace(set, id);
      if (!final) pending.push_back(set);
      return id;
    };
    StateId start_id = intern({start});
    while (!pending.empty()) {
      std::vector<StateId> set = std::move(pending.back());
      pending.pop_back();
      StateId from = index[set];
      std::vector<int> cuts{0, 256};
      for (StateId s : set) {
        for (const ByteEdge& e : nfa_[s].bytes) {
          cuts.push_back(e.lo);
          cuts.push_back(e.hi + 1);
        }
      }
      std::sort(cuts.begin(), cuts.end());
      cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
      for (size_t i = 0; i + 1 < cuts.size(); ++i) {
        poller_.Tick(static_cast<int64_t>(set.size()));
        std::vector<StateId> next;
        for (StateId s : set) {
          for (const ByteEdge& e : nfa_[s].bytes) {
            if (live_[e.target] && e.lo <= cuts[i] && cuts[i] <= e.hi) next.push_back(e.target);
          }
        }
        if (next.empty()) continue;
        StateId to = intern(std::move(next));
        (*edges)[from].push_back(
            {static_cast<uint8_t>(cuts[i]), static_cast<uint8_t>(cuts[i + 1] - 1), to});
      }
    }
    return start_id;
  }

  const Grammar& grammar_;
  Limits limits_;
  CancelPoller poller_;
  std::vector<NfaState> nfa_;
  std::vector<RuleId> rule_of_state_;
  std::vector<RuleId> inline_stack_;
  std::vector<uint8_t> live_;  // per NFA state: a final state is reachable
};

GrammarAutomaton BuildGrammarAutomaton(const Grammar& grammar, const std::atomic<bool>* cancel) {
  return GrammarAutomatonBuilder(grammar, cancel).Build();
}

}  // namespace xgrammar
