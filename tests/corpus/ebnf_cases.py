r"""Hand-written EBNF acceptance cases: (grammar, input, accepted?) for every construct.

Data only. Each entry of `EBNF_CASE_GROUPS` is a grammar with inputs and whether each input is a
complete sentence of the grammar; `EBNF_CASES` flattens them into `EbnfCase` triples. Inputs are
`str` (encoded as UTF-8) or `bytes` (for malformed UTF-8). The same corpus runs against the
reference recognizer now (tests/test_ebnf_corpus.py) and against the real matcher later, so a
case states what a user of the grammar must see, never how an engine gets there.

The grammars stay inside the common dialect of DESIGN.md (no `{,m}`, no extra escapes).
"""

from __future__ import annotations

import dataclasses
from typing import Union


@dataclasses.dataclass(frozen=True)
class EbnfCase:
    grammar: str
    text: Union[str, bytes]
    accepted: bool

    @property
    def data(self) -> bytes:
        return self.text if isinstance(self.text, bytes) else self.text.encode("utf-8")


Y, N = True, False

EBNF_CASE_GROUPS: list[tuple[str, str, list[tuple[Union[str, bytes], bool]]]] = [
    # ---- string literals and escapes ----
    ("literal", 'root ::= "abc"', [("abc", Y), ("ab", N), ("abcd", N), ("", N), ("abC", N)]),
    ("empty string", 'root ::= ""', [("", Y), ("a", N)]),
    ("empty parentheses", "root ::= ()", [("", Y), (" ", N)]),
    (
        "simple escapes",
        r'root ::= "\n\r\t\\\""',
        [('\n\r\t\\"', Y), ("\\n\\r\\t", N), ("\n\r\t\\", N)],
    ),
    ("hex escape is a code point", r'root ::= "\x41\xff"', [("A\u00ff", Y), (b"A\xff", N)]),
    ("u escape", r'root ::= "\u00e9\u4e2d"', [("é中", Y), ("e中", N)]),
    ("U escape astral", r'root ::= "\U0001F600"', [("😀", Y), ("\u263a", N)]),
    ("raw UTF-8 literal", 'root ::= "héllo 世界"', [("héllo 世界", Y), ("hello 世界", N)]),
    ("hex escape then digit", r'root ::= "\x411"', [("A1", Y), ("A", N)]),
    # ---- character classes ----
    ("class range", "root ::= [a-z]", [("a", Y), ("m", Y), ("z", Y), ("A", N), ("", N), ("ab", N)]),
    ("class list", "root ::= [abc0-9]", [("b", Y), ("7", Y), ("d", N)]),
    ("negated class", "root ::= [^a-z]", [("A", Y), ("é", Y), ("😀", Y), ("q", N), ("", N)]),
    ("negated class is one code point", "root ::= [^a]", [("ab", N), ("中", Y), ("中文", N)]),
    (
        "class dash first and last",
        "root ::= [-a] [b-]",
        [("-b", Y), ("a-", Y), ("ab", Y), ("bb", N)],
    ),
    (
        "class escapes",
        r"root ::= [\]\[\\\-\^]",
        [("]", Y), ("[", Y), ("\\", Y), ("-", Y), ("^", Y), ("a", N)],
    ),
    ("class caret not first is literal", "root ::= [a^]", [("^", Y), ("a", Y), ("b", N)]),
    ("class with newline escape", r"root ::= [\n\t ]+", [(" \n\t", Y), ("\r", N)]),
    (
        "class of multibyte range",
        r"root ::= [\u00e0-\u00ff]",
        [("é", Y), ("ÿ", Y), ("e", N), ("Ā", N)],
    ),
    ("class astral range", r"root ::= [\U0001F600-\U0001F64F]", [("😀", Y), ("🙏", Y), ("🚀", N)]),
    (
        "class mixing widths",
        r"root ::= [a\u4e2d\U0001F600]",
        [("a", Y), ("中", Y), ("😀", Y), ("b", N)],
    ),
    (
        "negated class excludes multibyte",
        r"root ::= [^\u4e00-\u9fff]",
        [("中", N), ("a", Y), ("é", Y)],
    ),
    # ---- strict UTF-8 inputs ----
    ("any character", "root ::= [^]*", [("", Y), ("any text ✓", Y), (b"\xff", N), (b"\xc3", N)]),
    ("no encoded surrogate", "root ::= [^a]", [(b"\xed\xa0\x80", N), (b"\xed\x9f\xbf", Y)]),
    ("no overlong encoding", "root ::= [^a]", [(b"\xc0\xaf", N), (b"\xe0\x80\xaf", N), ("/", Y)]),
    (
        "nothing above U+10FFFF",
        "root ::= [^a]",
        [(b"\xf4\x90\x80\x80", N), (b"\xf4\x8f\xbf\xbf", Y)],
    ),
    ("empty class matches nothing", 'root ::= "a" | []', [("a", Y), ("", N), ("b", N)]),
    # ---- sequence and choice ----
    ("sequence", 'root ::= "a" "b" "c"', [("abc", Y), ("ab", N), ("acb", N)]),
    ("choice", 'root ::= "a" | "bc" | ""', [("a", Y), ("bc", Y), ("", Y), ("b", N), ("abc", N)]),
    (
        "choice binds looser",
        'root ::= "a" "b" | "c" "d"',
        [("ab", Y), ("cd", Y), ("ad", N), ("abd", N)],
    ),
    ("grouping", 'root ::= "a" ("b" | "c") "d"', [("abd", Y), ("acd", Y), ("ad", N), ("abcd", N)]),
    ("nested groups", 'root ::= ((("a") ("b" | ("c" "d"))))', [("ab", Y), ("acd", Y), ("ac", N)]),
    (
        "common prefixes",
        'root ::= "ab" | "abc" | "abcd"',
        [("ab", Y), ("abc", Y), ("abcd", Y), ("a", N)],
    ),
    # ---- repetition ----
    ("star", 'root ::= "a"*', [("", Y), ("a", Y), ("aaaa", Y), ("ab", N)]),
    ("plus", 'root ::= "ab"+', [("", N), ("ab", Y), ("abab", Y), ("aba", N)]),
    ("question", 'root ::= "a"? "b"', [("b", Y), ("ab", Y), ("aab", N)]),
    ("exact count", 'root ::= "a"{3}', [("aaa", Y), ("aa", N), ("aaaa", N)]),
    ("at least", 'root ::= "a"{2,}', [("a", N), ("aa", Y), ("aaaaaaa", Y)]),
    (
        "range count",
        'root ::= "a"{2,4}',
        [("a", N), ("aa", Y), ("aaa", Y), ("aaaa", Y), ("aaaaa", N)],
    ),
    ("zero count", 'root ::= "x" "a"{0} "y"', [("xy", Y), ("xay", N)]),
    ("count zero to one", 'root ::= "a"{0,1} "b"', [("b", Y), ("ab", Y), ("aab", N)]),
    (
        "repeat of group",
        'root ::= ("a" | "bc"){2,3}',
        [("abc", Y), ("bcbc", Y), ("a", N), ("aaaa", N)],
    ),
    ("repeat of class", "root ::= [0-9]{4}", [("2024", Y), ("202", N), ("20x4", N)]),
    (
        "nested repetition",
        'root ::= ("a"+ "b")*',
        [("", Y), ("ab", Y), ("aabab", Y), ("b", N), ("aa", N)],
    ),
    ("repeat of nullable", 'root ::= ("a"?)*', [("", Y), ("aaa", Y), ("b", N)]),
    ("spaces before quantifier", 'root ::= "a" * "b" +', [("b", Y), ("aabb", Y), ("a", N)]),
    ("repeat of multibyte", 'root ::= "é"{2}', [("éé", Y), ("é", N), (b"\xc3\xa9\xc3", N)]),
    # ---- rules, recursion ----
    (
        "rule reference",
        'root ::= greeting " " name\ngreeting ::= "hi" | "hello"\nname ::= [a-z]+',
        [("hi bob", Y), ("hello x", Y), ("hey bob", N), ("hi ", N)],
    ),
    ("forward reference", 'root ::= later\nlater ::= "x"', [("x", Y), ("", N)]),
    ("right recursion", 'root ::= "a" root | "b"', [("b", Y), ("aaab", Y), ("aaa", N)]),
    ("left recursion", 'root ::= root "a" | "b"', [("b", Y), ("baaa", Y), ("ab", N)]),
    (
        "balanced parentheses",
        'root ::= "(" root ")" root | ""',
        [("", Y), ("()", Y), ("(())()", Y), ("(()", N), (")(", N)],
    ),
    (
        "mutual recursion",
        'root ::= "a" b | ""\nb ::= "b" root',
        [("", Y), ("ab", Y), ("abab", Y), ("aba", N)],
    ),
    (
        "nullable rule",
        'root ::= opt "x" opt\nopt ::= "o" | ""',
        [("x", Y), ("oxo", Y), ("ox", Y), ("oox", N)],
    ),
    ("ambiguous grammar", 'root ::= root root | "a" | ""', [("", Y), ("aaaa", Y), ("b", N)]),
    (
        "arithmetic",
        'root ::= expr\nexpr ::= expr "+" term | term\nterm ::= term "*" atom | atom\n'
        'atom ::= [0-9]+ | "(" expr ")"',
        [("1+2*3", Y), ("(1+2)*3", Y), ("1+", N), ("(1", N), ("12*(3+4)+5", Y)],
    ),
    (
        "self reference through group",
        'root ::= ("[" root* "]")',
        [("[]", Y), ("[[][[]]]", Y), ("[[]", N)],
    ),
    ("unused rule", 'root ::= "a"\nunused ::= "b"', [("a", Y), ("b", N)]),
    ("names with dash dot digits", 'root ::= a-b.c_1\na-b.c_1 ::= "z"', [("z", Y), ("a", N)]),
    # ---- layout: comments, multi-line rules ----
    (
        "comments",
        'root ::= "a" # trailing comment\n# full line comment\n  | "b"',
        [("a", Y), ("b", Y), ("#", N)],
    ),
    (
        "multi-line body",
        'root ::=\n  "a"\n  "b"\n  | "c"\nnext ::= "d"',
        [("ab", Y), ("c", Y), ("abd", N)],
    ),
    ("multi-line group", 'root ::= (\n  "a" |\n  "b"\n)+', [("abba", Y), ("", N)]),
    ("crlf line ends", 'root ::= a\r\na ::= "x"\r\n', [("x", Y), ("\r", N)]),
    ("hash inside string", 'root ::= "#" [#]', [("##", Y), ("#", N)]),
    ("indented rule", '  root ::= "a"\n\tother ::= "b"', [("a", Y), ("b", N)]),
    # ---- lookahead assertions (enforced, see DESIGN.md) ----
    ("lookahead holds", 'root ::= a "b"\na ::= "a" (= "b")', [("ab", Y), ("a", N)]),
    ("lookahead fails", 'root ::= a "c"\na ::= "a" (= "b")', [("ac", N), ("ab", N)]),
    ("lookahead at end of root", 'root ::= "a" (= "b")', [("a", N), ("ab", N), ("", N)]),
    (
        "lookahead with class",
        'root ::= (word | " " | ".")+\nword ::= [a-z]+ (= [ .])',
        [("ab cd.", Y), ("ab", N)],
    ),
    (
        "lookahead of sequence",
        'root ::= num "px" | num "em"\nnum ::= [0-9]+ (= "p" "x")',
        [("12px", Y), ("12em", N)],
    ),
    # ---- realistic grammars ----
    (
        "json-like list",
        'root ::= "[" ws (item (ws "," ws item)*)? ws "]"\nitem ::= [0-9]+ | "\\"" [a-z]* "\\""\n'
        "ws ::= [ \\t\\n]*",
        [("[]", Y), ("[1, 2,3]", Y), ('[ "ab" , 7 ]', Y), ("[1,]", N), ("[", N)],
    ),
    ("identifier", "root ::= [a-zA-Z_] [a-zA-Z0-9_]*", [("_x1", Y), ("x", Y), ("1x", N), ("", N)]),
    (
        "date",
        'root ::= [0-9]{4} "-" [0-1] [0-9] "-" [0-3] [0-9]',
        [("2024-01-31", Y), ("2024-1-31", N)],
    ),
    (
        "email-ish",
        'root ::= [a-z]+ "@" [a-z]+ ("." [a-z]+)+',
        [("a@b.co", Y), ("a@b", N), ("a@b.c.d", Y)],
    ),
]

EBNF_CASES: list[EbnfCase] = [
    EbnfCase(grammar, text, accepted)
    for _name, grammar, inputs in EBNF_CASE_GROUPS
    for text, accepted in inputs
]
