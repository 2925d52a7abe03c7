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
