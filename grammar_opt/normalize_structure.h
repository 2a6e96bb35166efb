// Structure normalisation: the same language, written in a flatter, canonical shape.
//
// Entry point: `NormalizeStructure`. It rewrites every expression, children first:
//  - sequences: nested sequences are spliced in, empty strings dropped; none left gives "",
//    one left gives that child;
//  - choices: nested choices are spliced in; identical alternatives are kept once (the first);
//    alternatives that each match exactly one code point (a character class that is not
//    negated, or a one-code-point literal) are merged into one character class at the place of
//    the first of them, which is exact because a choice is unordered; one alternative left
//    gives that alternative;
//  - a character class of a single code point becomes the literal of that code point;
//  - repetitions: `{1,1}` gives the child, `{0,0}` and a repeated "" give "", `(x?)?`, `(x*)+`,
//    `(x+)?` and the like collapse to one repetition where that is exact, and `(x{0,n})?` gives
//    `x{0,n}`.
// Rule names, rule order and lookaheads are kept; no rule is added or removed.
#ifndef XGRAMMAR_GRAMMAR_OPT_NORMALIZE_STRUCTURE_H_
#define XGRAMMAR_GRAMMAR_OPT_NORMALIZE_STRUCTURE_H_

#include "cpp/grammar.h"

namespace xgrammar {

GrammarPtr NormalizeStructure(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_NORMALIZE_STRUCTURE_H_
