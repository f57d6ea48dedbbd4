"""Mail rules as data and their matching: conditions, actions, and a compiled rule that checks a message.

Qt-free and I/O-free: the sorting service (realmail_desktop/sorting/) reads a message's `MessageFacts` and asks
each `CompiledRule` whether it matches. Regexes are compiled once per rule; patterns with nested quantifiers
(the usual catastrophic-backtracking shape, e.g. `(a+)+`) are refused, and no regex ever sees more than
`REGEX_INPUT_LIMIT` characters, so a rule cannot stall the loop on a hostile message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from realmail_desktop.core.errors import KnownError

REGEX_INPUT_LIMIT = 20_000
PATTERN_LIMIT = 500
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,)")


class RuleError(KnownError):
    """A rule cannot be used as written (an invalid or risky regex, a missing value)."""


class ConditionField(StrEnum):
    FROM = "from"
    TO = "to"
    CC = "cc"
    SUBJECT = "subject"
    BODY = "body"
    HEADER = "header"  # any header, named in Condition.header
    HAS_ATTACHMENT = "has_attachment"
    SIZE = "size"  # bytes
    ACCOUNT = "account"  # account id
    FOLDER = "folder"  # folder id
    LIST_ID = "list_id"


class Operator(StrEnum):
    CONTAINS = "contains"
    IS = "is"
    MATCHES = "matches"  # a regular expression (Python syntax), searched case-insensitively
    DOMAIN = "domain"  # an address field's domain is this domain or one under it
    GREATER = "greater"  # size only
    LESS = "less"


class ActionKind(StrEnum):
    MOVE = "move"  # argument: folder id
    COPY = "copy"  # argument: folder id
    MARK_READ = "mark_read"
    STAR = "star"
    TAG = "tag"  # argument: an IMAP keyword
    DELETE = "delete"
    FORWARD = "forward"  # argument: an address
    NOTIFY = "notify"  # argument: "desktop" or "telegram"
    STOP = "stop"


TEXT_FIELDS = frozenset(
    {
        ConditionField.FROM,
        ConditionField.TO,
        ConditionField.CC,
        ConditionField.SUBJECT,
        ConditionField.BODY,
        ConditionField.HEADER,
        ConditionField.LIST_ID,
    }
)
ADDRESS_FIELDS = frozenset({ConditionField.FROM, ConditionField.TO, ConditionField.CC})


@dataclass(frozen=True, slots=True)
class Condition:
    field: ConditionField
    operator: Operator = Operator.CONTAINS
    value: str = ""
    header: str = ""  # for ConditionField.HEADER: the header's name
    negate: bool = False  # "does not contain", "is not", …


@dataclass(frozen=True, slots=True)
class RuleAction:
    kind: ActionKind
    argument: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as the person wrote it (store/rules.py keeps it); `id` 0 until stored."""

    name: str
    conditions: tuple[Condition, ...] = ()
    actions: tuple[RuleAction, ...] = ()
    match_all: bool = True
    enabled: bool = True
    stop_processing: bool = False
    scope_accounts: tuple[int, ...] = ()
    scope_folders: tuple[int, ...] = ()
    id: int = 0
    position: int = 0

    @property
    def needs_body(self) -> bool:
        return any(c.field is ConditionField.BODY for c in self.conditions)


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What rules look at, of one message. `headers` maps lower-case header names to their values (all of
    them when the body is stored; only the kept ones — From, To, Cc, Subject, List-Id, List-Unsubscribe —
    for a header-only row). `body` is None while the body is not stored."""

    message_id: int
    account_id: int
    folder_id: int
    sender: str = ""  # "Name <address>"
    to: str = ""
    cc: str = ""
    subject: str = ""
    list_id: str = ""
    size: int = 0
    has_attachments: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def check_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled regex, or RuleError with a plain message (shown inline by the rules editor)."""
    if len(pattern) > PATTERN_LIMIT:
        raise RuleError("That pattern is too long.", hint=f"Keep it under {PATTERN_LIMIT} characters.")
    if _NESTED_QUANTIFIER.search(pattern):
        raise RuleError(
            "That pattern repeats a repetition, which can take forever on some messages.",
            hint="Remove the + or * after the bracket, e.g. write (ab)+ instead of (a+b+)+.",
        )
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"That is not a valid pattern: {exc.msg}.", hint="Check brackets and backslashes.") from exc


class CompiledRule:
    """A rule ready to check messages: its regexes compiled once, its values normalised."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._checks = [_compile_condition(c) for c in rule.conditions]

    def applies_to(self, facts: MessageFacts) -> bool:
        """Whether the message is in the rule's scope (accounts and folders; empty = any)."""
        rule = self.rule
        if rule.scope_accounts and facts.account_id not in rule.scope_accounts:
            return False
        return not rule.scope_folders or facts.folder_id in rule.scope_folders

    def matches(self, facts: MessageFacts) -> bool:
        if not self._checks:
            return False  # a rule without conditions would act on every message: never by accident
        results = (check(facts) for check in self._checks)
        return all(results) if self.rule.match_all else any(results)


def compile_rules(rules: list[Rule]) -> list[CompiledRule]:
    """The enabled rules, compiled, in the order they run; a rule that no longer compiles is left out."""
    compiled = []
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        if not rule.enabled:
            continue
        try:
            compiled.append(CompiledRule(rule))
        except RuleError:
            continue
    return compiled


def validate_rule(rule: Rule) -> None:
    """RuleError for the first problem of `rule` (the editor shows it); None when it can be saved."""
    if not rule.name.strip():
        raise RuleError("Give the rule a name.")
    if not rule.conditions:
        raise RuleError("Add at least one condition.")
    if not rule.actions:
        raise RuleError("Add at least one action.")
    for condition in rule.conditions:
        _compile_condition(condition)
    for action in rule.actions:
        needs_value = action.kind in (ActionKind.MOVE, ActionKind.COPY, ActionKind.TAG, ActionKind.FORWARD)
        if needs_value and not action.argument.strip():
            raise RuleError(f"The “{action.kind.value}” action needs a value.")
        if action.kind in (ActionKind.MOVE, ActionKind.COPY) and not action.argument.strip().isdigit():
            raise RuleError("Choose the folder to put messages in.")


def _field_text(facts: MessageFacts, condition: Condition) -> str | None:  # noqa: PLR0911 (one per field)
    """The text a condition looks at; None when the message does not have it (yet)."""
    match condition.field:
        case ConditionField.FROM:
            return facts.sender
        case ConditionField.TO:
            return facts.to
        case ConditionField.CC:
            return facts.cc
        case ConditionField.SUBJECT:
            return facts.subject
        case ConditionField.BODY:
            return facts.body
        case ConditionField.LIST_ID:
            return facts.list_id
        case _:
            return facts.headers.get(condition.header.strip().lower())


_ADDRESS = re.compile(r"[^\s<>,;\"]+@([^\s<>,;\"]+)")


def _text_test(condition: Condition) -> Callable[[str], bool]:
    value = condition.value.strip()
    folded = value.casefold()
    match condition.operator:
        case Operator.MATCHES:
            pattern = check_pattern(condition.value)
            return lambda text: pattern.search(text[:REGEX_INPUT_LIMIT]) is not None
        case Operator.IS:
            if condition.field in ADDRESS_FIELDS:  # "is ann@example.org" means one of the addresses is
                return lambda text: (
                    any(m.group(0).casefold() == folded for m in _ADDRESS.finditer(text))
                    or text.strip().casefold() == folded
                )
            return lambda text: text.strip().casefold() == folded
        case Operator.DOMAIN:
            domain = folded.lstrip("@").rstrip(".")
            if not domain:
                raise RuleError("Write the domain to look for, like example.org.")
            return lambda text: any(
                (d := m.group(1).casefold().rstrip(".")) == domain or d.endswith("." + domain)
                for m in _ADDRESS.finditer(text)
            )
        case Operator.CONTAINS:
            if not folded:
                raise RuleError("Write the text to look for.")
            return lambda text: folded in text.casefold()
        case _:
            raise RuleError(f"“{condition.operator.value}” does not apply to {condition.field.value}.")


def _compile_condition(condition: Condition) -> Callable[[MessageFacts], bool]:
    check = _positive_check(condition)
    if condition.negate:
        return lambda facts: not check(facts)
    return check


def _number(value: str, what: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise RuleError(f"{what} must be a whole number.") from None


def _positive_check(condition: Condition) -> Callable[[MessageFacts], bool]:
    match condition.field:
        case ConditionField.HAS_ATTACHMENT:
            return lambda facts: facts.has_attachments
        case ConditionField.SIZE:
            limit = _number(condition.value, "The size")
            if condition.operator is Operator.GREATER:
                return lambda facts: facts.size > limit
            if condition.operator is Operator.LESS:
                return lambda facts: facts.size < limit
            raise RuleError("Compare a size with “greater” or “less”.")
        case ConditionField.ACCOUNT:
            account = _number(condition.value, "The account")
            return lambda facts: facts.account_id == account
        case ConditionField.FOLDER:
            folder = _number(condition.value, "The folder")
            return lambda facts: facts.folder_id == folder
        case _:
            if condition.field is ConditionField.HEADER and not condition.header.strip():
                raise RuleError("Name the header to look at, like X-Mailer.")
            test = _text_test(condition)

            def check(facts: MessageFacts) -> bool:
                text = _field_text(facts, condition)
                return text is not None and test(text)

            return check
