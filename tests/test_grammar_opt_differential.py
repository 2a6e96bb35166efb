"""Every grammar pass preserves the language, and follow sets cover what really follows.

Oracle: the reference Earley recognizer (tests/reference/earley.py), which knows nothing of the
passes. For random grammars (tests/reference/random_grammars.py, seeded, so every run checks the
same grammars) the C++ passes run on the parsed text, the result is printed, and the reference
recognizer parses that text again; both grammars must agree on strings in and near the
language, and every sentence of the optimised grammar must be a sentence of the original.

Follow sets are checked by brute force: the grammar is rewritten so that every rule reference
`r` becomes `START_r r END_r`, with marker bytes that no UTF-8 text contains; in the random
sentences of that grammar the markers show exactly where each rule started and ended, so the
bytes right after an end marker are bytes that really follow the rule.
"""

import random

import pytest
from reference import earley, ebnf, random_grammars

import xgrammar as xgr
from xgrammar.testing import _follow_info, _optimize_grammar

PASSES = [
    "normalize_structure",
    "eliminate_dead_rules",
    "inline_rules",
    "fuse_byte_strings",
    "pipeline",
]
OPTIONS = random_grammars.GrammarOptions(max_rules=4, max_depth=3, lookahead_probability=0.15)
SEED_CHUNKS = [range(start, start + 20) for start in range(0, 200, 20)]
# The reference recognizer is cubic in the worst case; random sentences of recursive grammars
# can run to kilobytes, so the checks use the shorter ones and short derivations.
MAX_STRING_LENGTH = 48


def short_sentences(recognizer, rng, count: int) -> list:
    """Up to `count` random sentences (lookaheads not checked) no longer than the cap."""
    found = []
    for _ in range(count):
        data = random_grammars.sentence(recognizer, rng, depth_budget=rng.randint(1, 6))
        if data is None:
            break
        if len(data) <= MAX_STRING_LENGTH:
            found.append(data)
    return found


def optimized_text(text: str, pass_name: str) -> str:
    return str(_optimize_grammar(xgr.Grammar.from_ebnf(text), pass_name))


@pytest.mark.parametrize("seeds", SEED_CHUNKS, ids=lambda seeds: f"seeds{seeds.start}")
def test_every_pass_preserves_the_language(seeds):
    checked_strings = 0
    for seed in seeds:
        rng = random.Random(seed)
        text = ebnf.format_grammar(random_grammars.random_grammar(rng, OPTIONS))
        original = earley.Recognizer(text)
        strings = random_grammars.strings_near_language(original, rng, 32)
        strings = [data for data in strings if len(data) <= MAX_STRING_LENGTH][:24]
        expected = [original.accepts(data) for data in strings]
        for pass_name in PASSES:
            result = optimized_text(text, pass_name)
            optimized = earley.Recognizer(result)
            context = f"seed {seed}, pass {pass_name}\n{text}\n->\n{result}"
            for data, accepted in zip(strings, expected):
                assert optimized.accepts(data) == accepted, f"{data!r} with {context}"
            for data in short_sentences(optimized, rng, 4):
                if optimized.accepts(data):  # random sentences ignore lookaheads
                    assert original.accepts(data), f"{data!r} with {context}"
            checked_strings += len(strings)
    assert checked_strings >= len(seeds) * len(PASSES) * 16


@pytest.mark.parametrize("pass_name", PASSES[:-1])
def test_each_pass_is_idempotent(pass_name):
    """A pass run on its own output changes nothing: it leaves no work for a second run."""
    for seed in range(60):
        text = random_grammars.random_grammar_text(seed, OPTIONS)
        once = optimized_text(text, pass_name)
        assert optimized_text(once, pass_name) == once, f"seed {seed}\n{text}"


# Bytes that never occur in UTF-8 text, so they cannot come from a literal or a class.
MARKER_BYTES = [0xC0, 0xC1] + list(range(0xF5, 0x100))


def marked_grammar(grammar: ebnf.Grammar) -> tuple[ebnf.Grammar, dict]:
    """`grammar` with every reference to rule r wrapped in r's start and end markers.

    Returns the marked grammar (its root is a new rule wrapping the old root in markers too)
    and {marker byte: (rule name, is_start)}. Lookaheads may skip markers first; a lookahead
    whose own text would contain markers loses that sentence, which only makes the brute force
    see less, never something false.
    """
    names = [rule.name for rule in grammar.rules]
    start = {name: MARKER_BYTES[2 * i] for i, name in enumerate(names)}
    end = {name: MARKER_BYTES[2 * i + 1] for i, name in enumerate(names)}
    any_markers = ebnf.Repeat(
        ebnf.make_choice([ebnf.Literal(bytes([m])) for m in MARKER_BYTES[: 2 * len(names)]]),
        0,
        None,
    )

    def mark(node):
        if isinstance(node, ebnf.RuleRef):
            return ebnf.make_sequence(
                [
                    ebnf.Literal(bytes([start[node.name]])),
                    node,
                    ebnf.Literal(bytes([end[node.name]])),
                ]
            )
        if isinstance(node, ebnf.Sequence):
            return ebnf.make_sequence([mark(item) for item in node.items])
        if isinstance(node, ebnf.Choice):
            return ebnf.make_choice([mark(item) for item in node.alternatives])
        if isinstance(node, ebnf.Repeat):
            return ebnf.Repeat(mark(node.item), node.min_count, node.max_count)
        return node

    rules = []
    for rule in grammar.rules:
        lookahead = rule.lookahead
        if lookahead is not None:
            lookahead = ebnf.make_sequence([any_markers, lookahead])
        rules.append(ebnf.Rule(rule.name, mark(rule.body), lookahead))
    rules.append(ebnf.Rule("marked_root", mark(ebnf.RuleRef(grammar.root))))
    roles = {start[name]: (name, True) for name in names}
    roles.update({end[name]: (name, False) for name in names})
    return ebnf.Grammar(tuple(rules), "marked_root"), roles


def observed_follow(sentence: bytes, roles: dict, observed: dict) -> None:
    """Adds to observed[rule] the first bytes, following bytes and ends seen in `sentence`."""
    text = bytes(b for b in sentence if b not in roles)
    open_starts = {name: [] for name, _ in roles.values()}
    position = 0
    for byte in sentence:
        if byte not in roles:
            position += 1
            continue
        name, is_start = roles[byte]
        if is_start:
            open_starts[name].append(position)
            continue
        began = open_starts[name].pop()
        first, follow, ends = observed[name]
        if position > began:
            first.add(text[began])
        if position < len(text):
            follow.add(text[position])
        else:
            ends[0] = True


@pytest.mark.parametrize(
    "seeds",
    [range(start, start + 50) for start in range(0, 200, 50)],
    ids=lambda s: f"seeds{s.start}",
)
def test_follow_sets_cover_brute_force(seeds):
    observations = 0
    for seed in seeds:
        rng = random.Random(1000 + seed)
        grammar = random_grammars.random_grammar(rng, OPTIONS)
        text = ebnf.format_grammar(grammar)
        computed = _follow_info(text)
        marked, roles = marked_grammar(grammar)
        recognizer = earley.Recognizer(marked)
        observed = {rule.name: (set(), set(), [False]) for rule in grammar.rules}
        for sentence in short_sentences(recognizer, rng, 60):
            if recognizer.accepts(sentence):
                observed_follow(sentence, roles, observed)
        for name, (seen_first, seen_follow, seen_end) in observed.items():
            context = f"seed {seed}, rule {name}\n{text}"
            assert seen_first <= computed[name][0], context
            assert seen_follow <= computed[name][1], context
            assert not seen_end[0] or computed[name][2], context
            observations += len(seen_first) + len(seen_follow)
    # The brute force saw plenty, so the subset checks above are not vacuous.
    assert observations > 4 * len(seeds), observations
