// Byte-string fusion: adjacent literals of a sequence become one literal, so `"a" "b" [c]`
// becomes `"ab" [c]` and the automaton builder sees one chain of bytes instead of several.
//
// Entry point: `FuseByteStrings`. Only direct neighbours in one sequence are fused (run it after
// NormalizeStructure, which flattens nested sequences); a sequence that fuses into a single
// literal becomes that literal. Rules, names and lookaheads are kept.
#ifndef XGRAMMAR_GRAMMAR_OPT_FUSE_BYTE_STRINGS_H_
#define XGRAMMAR_GRAMMAR_OPT_FUSE_BYTE_STRINGS_H_

#include "cpp/grammar.h"

namespace xgrammar {

GrammarPtr FuseByteStrings(const Grammar& grammar);

}  // namespace xgrammar

#endif  // XGRAMMAR_GRAMMAR_OPT_FUSE_BYTE_STRINGS_H_
