// Every resource limit of the core, in one place, with its default and why it has that value.
// Running out of any of them is an Error of kind kLimitExceeded naming the limit; a limit never
// makes a mask wrong. Python reads and changes the process-wide values through
// xgrammar.limits (and the upstream-compatible max_recursion_depth API).
#ifndef XGRAMMAR_CPP_RESOURCE_LIMITS_H_
#define XGRAMMAR_CPP_RESOURCE_LIMITS_H_

#include <cstdint>

namespace xgrammar {

struct Limits {
  // Nesting of parentheses/brackets in EBNF or regex text, and of subschemas. Parsers and the
  // passes that walk expression trees use at most a few hundred bytes of stack per level, so
  // 1,000 levels stay far below the smallest thread stack we run on (the Python main thread
  // and the compile pool threads, 8 MiB).
  int32_t max_nesting_depth = 1000;
  // Upstream's "max recursion depth" (get/set_max_recursion_depth): the deepest stack of rule
  // calls a matcher may hold, e.g. JSON arrays nested this deep. 10,000 as upstream.
  int32_t max_recursion_depth = 10000;
  // Rules plus expressions of one grammar (a 1 MB EBNF file has about 200,000).
  int32_t max_grammar_size = 2000000;
  // Largest finite bound of a counted repetition `{m,n}`: the automaton unrolls bounded
  // repetitions, so this bounds the states one repetition can add.
  int32_t max_repetition_bound = 100000;
  // Automaton states of one compiled grammar, all rules together (~100 bytes each).
  int32_t max_automaton_states = 2000000;
  // A model's vocabulary size (token ids, padding included). The largest real vocabularies
  // have about 260,000 tokens; 16M keeps one bitmask row at 2 MiB and every id in an int32.
  int32_t max_vocab_size = 1 << 24;
};

// The process-wide limits. Read once at the start of each parse or compile.
Limits GetLimits();
void SetLimits(const Limits& limits);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_RESOURCE_LIMITS_H_
