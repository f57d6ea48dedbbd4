"""Reading delivery status notifications (RFC 3464 multipart/report; report-type=delivery-status): which
message bounced, and what the remote server said about each recipient."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser

from realmail_desktop.store import DeliveryProblem

_REPORTED_ACTIONS = frozenset({"failed", "delayed"})


def read_delivery_report(raw: bytes) -> tuple[str, list[DeliveryProblem]] | None:
    """(the bounced message's Message-ID, the failed/delayed recipients) of a DSN; None if `raw` is not one."""
    try:
        report = BytesParser(policy=policy.default).parsebytes(raw)
        if report.get_content_type() != "multipart/report":
            return None
        if str(report.get_param("report-type", "")).lower() != "delivery-status":
            return None
        original = ""
        problems: list[DeliveryProblem] = []
        for part in report.walk():
            kind = part.get_content_type()
            if kind == "message/delivery-status":
                blocks = part.get_payload()
                if isinstance(blocks, list):
                    for block in blocks:
                        if not isinstance(block, Message):
                            continue
                        original = original or _field(block, "Original-Message-ID")
                        problem = _problem(block)
                        if problem is not None:
                            problems.append(problem)
            elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers") and not original:
                original = _returned_message_id(part)
        original = original or str(report.get("In-Reply-To", "") or "").strip()
        return (original, problems) if original and problems else None
    except Exception:  # a malformed bounce is just not linked
        return None


def _field(block: Message, name: str) -> str:
    return " ".join(str(block.get(name, "") or "").split())


def _typed(value: str) -> str:
    """'rfc822; bob@example.com' → 'bob@example.com' (RFC 3464 address-type / diagnostic-type prefix)."""
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _problem(block: Message) -> DeliveryProblem | None:
    recipient = _typed(_field(block, "Final-Recipient") or _field(block, "Original-Recipient"))
    action = _field(block, "Action").lower()
    if not recipient or action not in _REPORTED_ACTIONS:
        return None
    return DeliveryProblem(
        recipient=recipient,
        action=action,
        status=_field(block, "Status"),
        diagnostic=_typed(_field(block, "Diagnostic-Code")) or "no reason given",
    )


def _returned_message_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage | Message):
        return str(payload[0].get("Message-ID", "") or "").strip()
    if isinstance(payload, str):
        text = part.get_payload(decode=True)
        headers = HeaderParser().parsestr(text.decode("utf-8", "replace") if isinstance(text, bytes) else payload)
        return str(headers.get("Message-ID", "") or "").strip()
    return ""
