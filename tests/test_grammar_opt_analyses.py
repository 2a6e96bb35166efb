"""The analyses of grammar_opt/: nullable rules, productive rules, and follow information.

Hand-written grammars with the exact expected answer; the brute-force check of follow sets
against sentences of random grammars is in test_grammar_opt_differential.py.
"""

import pytest

from xgrammar.testing import _follow_info, _nullable_rules, _productive_rules

ASCII_LEADS = set(range(0x80))
TWO_BYTE_LEADS = set(range(0xC2, 0xE0))
THREE_BYTE_LEADS = set(range(0xE0, 0xF0))
FOUR_BYTE_LEADS = set(range(0xF0, 0xF5))
ALL_LEADS = ASCII_LEADS | TWO_BYTE_LEADS | THREE_BYTE_LEADS | FOUR_BYTE_LEADS


def follow_info(text: str) -> dict:
    """rule name -> (first bytes, follow bytes, can end input)."""
    return _follow_info(text)


def as_bytes(text: str) -> set:
    return set(text.encode())


def test_nullable_rules():
    nullable = _nullable_rules(
        "\n".join(
            [
                "root ::= a b | c",
                'a ::= "x"*',
                'b ::= a a | "y"',
                'c ::= c "z" | d',  # left recursion, nullable through d
                "d ::= e?",
                'e ::= "e"',
                "loop ::= loop",  # a cycle derives nothing, certainly not ""
                'counted ::= "q"{0,3} e{0}',
                'plus ::= a+ "!"',
            ]
        )
    )
    assert nullable == {
        "root": True,
        "a": True,
        "b": True,
        "c": True,
        "d": True,
        "e": False,
        "loop": False,
        "counted": True,
        "plus": False,
    }


def test_productive_rules():
    productive = _productive_rules(
        "\n".join(
            [
                "root ::= a | b",
                'a ::= "a" a',
                'b ::= b "b" | "c"',
                'c ::= "c" (= a)',
                "d ::= [^\\x00-\\U0010FFFF]",
                "e ::= d*",
            ]
        )
    )
    assert productive == {"root": True, "a": False, "b": True, "c": False, "d": False, "e": True}


def test_follow_of_a_small_json_like_grammar():
    info = follow_info(
        "\n".join(
            [
                "root ::= ws value ws",
                'value ::= "[" ws (value (ws "," ws value)*)? ws "]" | number',
                'number ::= "-"? [0-9]+',
                "ws ::= [ \\n]*",
            ]
        )
    )
    digits = as_bytes("0123456789")
    assert info["root"] == (as_bytes(" \n[-") | digits, set(), True)
    assert info["value"] == (as_bytes("[-") | digits, as_bytes(" \n,]"), True)
    # A number can be followed by more digits only from inside its own rule, never after it.
    assert info["number"] == (as_bytes("-") | digits, as_bytes(" \n,]"), True)
    assert info["ws"][0] == as_bytes(" \n")
    # `"[" ws ws "]"` when the list is empty: one ws can follow another.
    assert info["ws"][1] == as_bytes("[-,] \n") | digits
    assert info["ws"][2] is True


def test_repetition_lets_a_rule_follow_itself():
    info = follow_info('root ::= item{2,5} "!" item?\nitem ::= "a" | "b"')
    assert info["item"] == (as_bytes("ab"), as_bytes("ab!"), True)
    info = follow_info('root ::= item{1} "!"\nitem ::= "a" | "b"')
    assert info["item"] == (as_bytes("ab"), as_bytes("!"), False)


def test_character_classes_start_with_utf8_lead_bytes():
    info = follow_info(
        "\n".join(
            [
                "root ::= latin cjk astral around_surrogates not_a not_bmp any",
                "latin ::= [é-ÿ]",
                "cjk ::= [\\u4e00-\\u9fff]",
                "astral ::= [\\U00010000-\\U0010FFFF]",
                "around_surrogates ::= [\\uD7FF-\\uE000]",
                "not_a ::= [^a]",
                "not_bmp ::= [^\\x00-\\uFFFF]",
                "any ::= [^]",
            ]
        )
    )
    assert info["latin"][0] == {0xC3}
    assert info["cjk"][0] == set(range(0xE4, 0xEA))
    assert info["astral"][0] == FOUR_BYTE_LEADS
    assert info["around_surrogates"][0] == {0xED, 0xEE}
    assert info["not_a"][0] == ALL_LEADS - {ord("a")}
    assert info["not_bmp"][0] == FOUR_BYTE_LEADS
    assert info["any"][0] == ALL_LEADS
    # Strict UTF-8: no overlong leads C0 C1, nothing from F5 up, no continuation bytes.
    assert not info["root"][0] & ({0xC0, 0xC1} | set(range(0xF5, 0x100)) | set(range(0x80, 0xC0)))
    assert info["latin"][1] == set(range(0xE4, 0xEA))


def test_lookahead_only_shrinks_follow():
    text = "\n".join(
        [
            'root ::= a "nb" | a "c" | a "o"',
            'a ::= "m" b (= "n" | "o")',
            'b ::= "q"*',
        ]
    )
    info = follow_info(text)
    assert info["a"] == (as_bytes("m"), as_bytes("no"), False)
    # The restriction flows into rules that end where `a` ends...
    assert info["b"] == (as_bytes("q"), as_bytes("no"), False)
    # ...but a nullable assertion restricts nothing.
    info = follow_info(text.replace('(= "n" | "o")', '(= "n"?)'))
    assert info["a"] == (as_bytes("m"), as_bytes("nco"), False)
    assert info["b"][1] == as_bytes("nco")


def test_lookahead_at_the_end_of_input():
    info = follow_info('root ::= a\na ::= "x" (= "y")')
    assert info["a"] == (as_bytes("x"), set(), False)
    assert info["root"][2] is True
    info = follow_info('root ::= "x" (= "y")')
    assert info["root"] == (as_bytes("x"), set(), False)


def test_rules_inside_a_lookahead_may_be_followed_by_anything():
    info = follow_info('root ::= a "yz"\na ::= "x" (= t)\nt ::= "y"')
    assert info["t"] == (as_bytes("y"), set(range(256)), True)
    assert info["a"][1] == as_bytes("y")


@pytest.mark.parametrize("count", [1, 2000])
def test_long_rule_chains_have_no_recursion_limit(count):
    text = "root ::= r0\n" + "".join(f'r{i} ::= r{i + 1} "{i % 10}"?\n' for i in range(count))
    text += f'r{count} ::= "z"\n'
    info = follow_info(text)
    assert info[f"r{count}"][0] == as_bytes("z")
    assert info["root"][0] == as_bytes("z")
    # Every optional digit after it may be skipped, up to the end of the sentence.
    assert info[f"r{count}"][1] == as_bytes("".join(str(i % 10) for i in range(count)))
    assert info[f"r{count}"][2] is True
