"""The rules engine: every condition and operator, all/any, negation, scope, invalid and risky regexes."""

from __future__ import annotations

import pytest

from realmail_desktop.store.rule_engine import (
    ActionKind,
    CompiledRule,
    Condition,
    ConditionField,
    MessageFacts,
    Operator,
    Rule,
    RuleAction,
    RuleError,
    check_pattern,
    compile_rules,
    validate_rule,
)

FACTS = MessageFacts(
    message_id=1,
    account_id=7,
    folder_id=70,
    sender="Ann Example <ann@mail.example.org>",
    to="Bob <bob@work.example>, carol@home.example",
    cc="dave@team.example.net",
    subject="Weekly report: numbers up",
    list_id="reports.lists.example.org",
    size=12_000,
    has_attachments=True,
    headers={"x-mailer": "Mailer 3000", "from": "Ann Example <ann@mail.example.org>"},
    body="Hello team,\nthe invoice 4711 is attached.",
)


def matches(*conditions: Condition, match_all: bool = True, facts: MessageFacts = FACTS) -> bool:
    rule = Rule("r", conditions=conditions, actions=(RuleAction(ActionKind.STAR),), match_all=match_all)
    return CompiledRule(rule).matches(facts)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Condition(ConditionField.FROM, Operator.CONTAINS, "ANN@"), True),
        (Condition(ConditionField.FROM, Operator.CONTAINS, "zed"), False),
        (Condition(ConditionField.FROM, Operator.IS, "ann@mail.example.org"), True),
        (Condition(ConditionField.FROM, Operator.IS, "mail.example.org"), False),
        (Condition(ConditionField.FROM, Operator.DOMAIN, "example.org"), True),  # a subdomain counts
        (Condition(ConditionField.FROM, Operator.DOMAIN, "@mail.example.org"), True),
        (Condition(ConditionField.FROM, Operator.DOMAIN, "ample.org"), False),  # not a label boundary
        (Condition(ConditionField.TO, Operator.IS, "carol@home.example"), True),
        (Condition(ConditionField.TO, Operator.DOMAIN, "work.example"), True),
        (Condition(ConditionField.CC, Operator.DOMAIN, "example.net"), True),
        (Condition(ConditionField.CC, Operator.CONTAINS, "bob"), False),
        (Condition(ConditionField.SUBJECT, Operator.MATCHES, r"^weekly\s+report"), True),
        (Condition(ConditionField.SUBJECT, Operator.MATCHES, r"monthly"), False),
        (Condition(ConditionField.SUBJECT, Operator.IS, "weekly report: NUMBERS up"), True),
        (Condition(ConditionField.BODY, Operator.CONTAINS, "invoice 4711"), True),
        (Condition(ConditionField.BODY, Operator.MATCHES, r"invoice \d{5}"), False),
        (Condition(ConditionField.HEADER, Operator.CONTAINS, "3000", header="X-Mailer"), True),
        (Condition(ConditionField.HEADER, Operator.CONTAINS, "3000", header="X-Other"), False),
        (Condition(ConditionField.HAS_ATTACHMENT), True),
        (Condition(ConditionField.SIZE, Operator.GREATER, "10000"), True),
        (Condition(ConditionField.SIZE, Operator.LESS, "10000"), False),
        (Condition(ConditionField.ACCOUNT, Operator.IS, "7"), True),
        (Condition(ConditionField.ACCOUNT, Operator.IS, "8"), False),
        (Condition(ConditionField.FOLDER, Operator.IS, "70"), True),
        (Condition(ConditionField.LIST_ID, Operator.IS, "reports.lists.example.org"), True),
        (Condition(ConditionField.LIST_ID, Operator.DOMAIN, "example.org"), False),  # not an address
        (Condition(ConditionField.SUBJECT, Operator.CONTAINS, "report", negate=True), False),
        (Condition(ConditionField.HAS_ATTACHMENT, negate=True), False),
    ],
)
def test_each_condition_and_operator(condition: Condition, expected: bool) -> None:
    assert matches(condition) is expected


def test_body_condition_never_matches_a_header_only_message() -> None:
    header_only = MessageFacts(message_id=2, account_id=7, folder_id=70, subject="x", body=None)
    assert not matches(Condition(ConditionField.BODY, Operator.CONTAINS, "x"), facts=header_only)
    # The negation of "no body to look at" holds: which is why new mail waits for its body (sorting/service.py)
    assert matches(Condition(ConditionField.BODY, Operator.CONTAINS, "x", negate=True), facts=header_only)


def test_all_needs_every_condition_any_needs_one() -> None:
    hit = Condition(ConditionField.SUBJECT, Operator.CONTAINS, "weekly")
    miss = Condition(ConditionField.SUBJECT, Operator.CONTAINS, "monthly")
    assert not matches(hit, miss, match_all=True)
    assert matches(hit, miss, match_all=False)
    assert not matches(miss, miss, match_all=False)


def test_a_rule_without_conditions_matches_nothing() -> None:
    assert not CompiledRule(Rule("empty", actions=(RuleAction(ActionKind.STAR),))).matches(FACTS)


def test_scope_limits_accounts_and_folders() -> None:
    rule = Rule("r", conditions=(Condition(ConditionField.HAS_ATTACHMENT),), scope_accounts=(7,), scope_folders=(71,))
    assert not CompiledRule(rule).applies_to(FACTS)
    assert CompiledRule(Rule("r", scope_accounts=(7,), scope_folders=(70,))).applies_to(FACTS)


@pytest.mark.parametrize("pattern", ["(unclosed", "[z-a]", "*start", "a{2,1}"])
def test_invalid_regex_is_a_known_error(pattern: str) -> None:
    with pytest.raises(RuleError) as caught:
        check_pattern(pattern)
    assert "not a valid pattern" in caught.value.message


@pytest.mark.parametrize("pattern", ["(a+)+$", "(x*)*y", r"(\w+\s?)+$", "(ab+){2,}"])
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(RuleError, match="repeats a repetition"):
        check_pattern(pattern)


def test_regex_sees_at_most_the_input_limit() -> None:
    long_body = "a" * 30_000 + "NEEDLE"
    facts = MessageFacts(message_id=3, account_id=1, folder_id=1, body=long_body)
    assert not matches(Condition(ConditionField.BODY, Operator.MATCHES, "NEEDLE"), facts=facts)
    assert matches(Condition(ConditionField.BODY, Operator.CONTAINS, "NEEDLE"), facts=facts)


def test_validate_rule_names_the_problem() -> None:
    star = (RuleAction(ActionKind.STAR),)
    with pytest.raises(RuleError, match="name"):
        validate_rule(Rule(" ", conditions=(Condition(ConditionField.HAS_ATTACHMENT),), actions=star))
    with pytest.raises(RuleError, match="condition"):
        validate_rule(Rule("r", actions=star))
    with pytest.raises(RuleError, match="action"):
        validate_rule(Rule("r", conditions=(Condition(ConditionField.HAS_ATTACHMENT),)))
    with pytest.raises(RuleError, match="folder"):
        validate_rule(
            Rule(
                "r", conditions=(Condition(ConditionField.HAS_ATTACHMENT),), actions=(RuleAction(ActionKind.MOVE, "x"),)
            )
        )
    with pytest.raises(RuleError, match="valid pattern"):
        validate_rule(Rule("r", conditions=(Condition(ConditionField.SUBJECT, Operator.MATCHES, "("),), actions=star))
    with pytest.raises(RuleError, match="header"):
        validate_rule(Rule("r", conditions=(Condition(ConditionField.HEADER, Operator.CONTAINS, "x"),), actions=star))


def test_compile_rules_keeps_enabled_ones_in_order() -> None:
    cond = (Condition(ConditionField.HAS_ATTACHMENT),)
    rules = [
        Rule("second", conditions=cond, position=2, id=1),
        Rule("off", conditions=cond, position=0, id=2, enabled=False),
        Rule("first", conditions=cond, position=1, id=3),
    ]
    assert [c.rule.name for c in compile_rules(rules)] == ["first", "second"]
