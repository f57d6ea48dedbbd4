"""A settings finder for the Add account dialog that looks nowhere: tests never ask the internet for a domain's
mail settings (the real `auth.autoconfig.Discovery` is tested against local servers in tests/unit/auth/)."""

from __future__ import annotations

from dataclasses import dataclass, field

from realmail_desktop.auth.providers import MailSettings


@dataclass
class NoLookups:
    """Finds nothing, so the person types the settings; `asked` records the addresses looked up."""

    asked: list[str] = field(default_factory=list)

    async def find(self, address: str) -> MailSettings | None:
        self.asked.append(address)
        return None
