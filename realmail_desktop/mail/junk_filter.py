"""The junk classifier's mathematics: tokens of a message, and Robinson's token probabilities combined with
Fisher's chi-square method (as in SpamBayes) into one junk score in [0, 1].

Pure functions: the counts come from the store (store/junk_tokens.py), the training and the decision from the
sorting service (realmail_desktop/sorting/junk.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

# Robinson's strength of the prior (s) and the prior itself (x) for a token seen rarely.
PRIOR_STRENGTH = 1.0
PRIOR = 0.5
# Only the tokens that say most (furthest from 0.5) are combined, as SpamBayes does.
MAX_DISCRIMINATORS = 150
MIN_DISTANCE = 0.1
# Above this a message is junk; between UNSURE and JUNK the filter does not act.
JUNK_THRESHOLD = 0.9
UNSURE_THRESHOLD = 0.2
TEXT_LIMIT = 50_000

_WORD = re.compile(r"[\w$€£%!'-]{2,40}", re.UNICODE)
_URL_HOST = re.compile(r"https?://([a-z0-9.-]{1,200})", re.I)
_ADDRESS_DOMAIN = re.compile(r"@([a-z0-9.-]{1,200})", re.I)


def tokens(sender: str, subject: str, body: str, *, has_attachments: bool = False) -> set[str]:
    """The set of tokens one message counts for: words of the subject (marked apart from the body's), the
    sender's domain, hosts of links, words of the body (its first TEXT_LIMIT characters), a few shape marks."""
    found: set[str] = set()
    found.update(f"subject:{w.lower()}" for w in _WORD.findall(subject))
    found.update(f"from:{d.lower()}" for d in _ADDRESS_DOMAIN.findall(sender))
    text = body[:TEXT_LIMIT]
    found.update(f"url:{h.lower()}" for h in _URL_HOST.findall(text))
    for word in _WORD.findall(text):
        lower = word.lower()
        found.add(lower)
        if len(word) > 3 and word.isupper():
            found.add("shape:shouting")
    if subject and subject.upper() == subject and any(c.isalpha() for c in subject):
        found.add("shape:subject-shouting")
    if has_attachments:
        found.add("shape:attachment")
    return found


def token_probability(junk: int, good: int, junk_total: int, good_total: int) -> float:
    """Robinson's f(w): the chance a message holding the token is junk, pulled towards PRIOR when the token
    was seen rarely."""
    junk_ratio = junk / junk_total if junk_total else 0.0
    good_ratio = good / good_total if good_total else 0.0
    if junk_ratio + good_ratio == 0:
        return PRIOR
    p = junk_ratio / (junk_ratio + good_ratio)
    n = junk + good
    return (PRIOR_STRENGTH * PRIOR + n * p) / (PRIOR_STRENGTH + n)


def _chi2q(chi: float, freedom: int) -> float:
    """P(X >= chi) for a chi-square distribution with an even number of degrees of freedom."""
    m = chi / 2.0
    term = math.exp(-m)
    total = term
    for i in range(1, freedom // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def score(message_tokens: set[str], counts: Mapping[str, tuple[int, int]], junk_total: int, good_total: int) -> float:
    """The junk score of a message: near 1 junk, near 0 good, 0.5 when the filter cannot tell."""
    probabilities = []
    for token in message_tokens:
        junk, good = counts.get(token, (0, 0))
        f = token_probability(junk, good, junk_total, good_total)
        if abs(f - 0.5) >= MIN_DISTANCE:
            probabilities.append(f)
    probabilities.sort(key=lambda f: -abs(f - 0.5))
    chosen = [min(max(f, 1e-6), 1 - 1e-6) for f in probabilities[:MAX_DISCRIMINATORS]]
    if not chosen:
        return 0.5
    n = len(chosen)
    junkiness = 1.0 - _chi2q(-2.0 * sum(math.log(1.0 - f) for f in chosen), 2 * n)
    goodness = 1.0 - _chi2q(-2.0 * sum(math.log(f) for f in chosen), 2 * n)
    return (1.0 + junkiness - goodness) / 2.0
