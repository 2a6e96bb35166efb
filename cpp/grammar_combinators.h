// Union and concatenation of whole grammars (upstream `Grammar.union` / `Grammar.concat`).
//
// The result has a new root rule named "root" (rule 0) whose body is the choice (union) or the
// sequence (concat) of references to the input grammars' roots. Every input rule is copied with
// its body and lookahead; a name already taken gets the first free suffix "_1", "_2", ...
#ifndef XGRAMMAR_CPP_GRAMMAR_COMBINATORS_H_
#define XGRAMMAR_CPP_GRAMMAR_COMBINATORS_H_

#include <vector>

#include "cpp/grammar.h"

namespace xgrammar {

// Both throw kInvalidArgument for an empty list or a null grammar.
GrammarPtr UnionGrammars(const std::vector<GrammarPtr>& grammars);
GrammarPtr ConcatGrammars(const std::vector<GrammarPtr>& grammars);

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_GRAMMAR_COMBINATORS_H_
