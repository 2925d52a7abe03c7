"""Every message rule fires on its positive examples and not on its negative ones."""

from __future__ import annotations

import pytest

from qalxan.data import load_reasons, read_yaml
from qalxan.detect.message import SCHEMES, Rule, RuleSet, extract
from qalxan.domain.errors import ConfigError
from qalxan.service.message import RULE_FILES, load_normalizer, load_rules

RULES = load_rules().rules


def _fires(rule: Rule, text: str) -> bool:
    kinds = {f.kind for f in extract(text, b"test").features}
    return rule.match(load_normalizer().fold(text).text, kinds) is not None


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_matches_its_examples(rule: Rule) -> None:
    for text in rule.positives:
        assert _fires(rule, text), f"{rule.id} misses positive example {text!r}"
    for text in rule.negatives:
        assert not _fires(rule, text), f"{rule.id} fires on negative example {text!r}"


def test_rule_ids_are_unique_and_reasons_translated() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    catalog = load_reasons()
    for rule in RULES:
        assert rule.reason in catalog, f"{rule.id}: reason {rule.reason} has no messages"
        assert rule.id.startswith(rule.lang + ".")


def test_every_scheme_has_rules_in_every_language() -> None:
    for lang in RULE_FILES:
        schemes = {r.scheme for r in RULES if r.lang == lang}
        missing = set(SCHEMES) - schemes
        assert not missing, f"{lang} lacks rules for {sorted(missing)}"


def test_duplicate_rule_id_is_a_config_error() -> None:
    doc = read_yaml(RULE_FILES["az"])
    with pytest.raises(ConfigError, match="appears twice"):
        RuleSet.from_documents({"az": doc, "zz": doc}, load_normalizer())


def test_rule_without_examples_is_a_config_error() -> None:
    bad = {"rules": [{"id": "az.x", "reason": "message.urgency", "weight": 0.3, "any": ["x"]}]}
    with pytest.raises(ConfigError, match="examples"):
        RuleSet.from_documents({"az": bad}, load_normalizer())


def test_case_sensitive_escape_in_pattern_is_refused() -> None:
    bad = {
        "rules": [
            {
                "id": "az.x",
                "reason": "message.urgency",
                "weight": 0.3,
                "any": ["\\S+"],
                "examples": {"positive": ["a"], "negative": ["b"]},
            }
        ]
    }
    with pytest.raises(ConfigError, match="case-sensitive"):
        RuleSet.from_documents({"az": bad}, load_normalizer())


def test_literal_candidates_keep_every_hit() -> None:
    # A rule (fraud or legitimacy) can only fire when one of its literals is in the text:
    # evaluating the candidates gives the hits of evaluating every rule.
    from qalxan.service.message_train import load_written

    ruleset = load_rules()
    norm = load_normalizer()
    texts = [e.text for e in load_written("test") + load_written("train")]
    texts += [t for r in RULES for t in (*r.positives, *r.negatives)]
    legit_hits = 0
    for text in texts:
        folded = norm.fold(text).text
        kinds = {f.kind for f in extract(text, b"test").features}
        found = {w for w in ruleset.triggers if w in folded}
        every = ruleset.evaluate(folded, kinds)
        assert ruleset.evaluate(folded, kinds, ruleset.candidates(found)) == every, text
        legit_hits += any(h.rule.legit for h in every)
        fraud = {i for i, r in enumerate(RULES) if not r.legit} - ruleset.always
        assert ruleset.fraud_candidates(found & ruleset.fraud_triggers) == {
            i for i in ruleset.candidates(found) if i in fraud
        }
    assert legit_hits > 0  # the corpus exercises the legitimacy rules


def test_the_batch_prefilter_knows_every_kind_a_rule_requires() -> None:
    # The batch path tries the fraud rules with every indicator kind taken as present.
    from qalxan.detect.message.prefilter import ANY_KIND

    required = {kind for r in RULES for kind in r.requires}
    assert required and required <= ANY_KIND
