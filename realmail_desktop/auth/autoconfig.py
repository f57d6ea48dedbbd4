"""Finding an address's mail servers the way Thunderbird does: RealMail's own table of providers first, then the
domain's autoconfig file (`https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…`, then
`https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`), then the ISP database (Thunderbird's, same
clientConfig format), then RFC 6186 SRV records (`_imaps._tcp`, `_imap._tcp`, `_submissions._tcp`,
`_submission._tcp`). The answer says where it came from.

clientConfig files are untrusted input: parsed with xml.etree after refusing any DOCTYPE (so no entity can be
declared, let alone expanded: no "billion laughs"), with a size limit. URLs are templates (`{domain}`,
`{address}`) so tests point them at a server on 127.0.0.1; plain http is refused except to loopback.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from realmail_desktop.auth import dns_srv
from realmail_desktop.auth.providers import (
    ADDRESS,
    MailSettings,
    Provider,
    Security,
    ServerSettings,
    SignIn,
    domain_of,
    provider_for,
)
from realmail_desktop.core.logs import get_logger

MAX_CONFIG_BYTES = 256 * 1024
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SOCKET_TYPES = {"SSL": Security.TLS, "TLS": Security.TLS, "STARTTLS": Security.STARTTLS, "PLAIN": Security.NONE}
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_log = get_logger("auth")


@dataclass(frozen=True, slots=True)
class DiscoveryUrls:
    """Where to look, in order; each a template with `{domain}` and `{address}` (URL-quoted)."""

    domain_autoconfig: str = "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}"
    well_known: str = "https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"
    isp_database: str = "https://autoconfig.thunderbird.net/v1.1/{domain}"

    def ordered(self) -> tuple[tuple[str, str], ...]:
        return (
            (self.domain_autoconfig, "autoconfig.{domain}"),
            (self.well_known, "{domain}/.well-known/autoconfig"),
            (self.isp_database, "Thunderbird's ISP database"),
        )


class UnsafeConfigError(ValueError):
    """A clientConfig file we refuse to read (a DOCTYPE or ENTITY declaration, or too big)."""


def parse_client_config(data: bytes, address: str, source: str) -> MailSettings | None:
    """The IMAP and SMTP servers a clientConfig (config-v1.1.xml) names, with the user name filled in for
    `address`; None when it has no usable IMAP or SMTP server or is not clientConfig XML. A server without TLS
    is used only when it is on this computer. Raises UnsafeConfigError for DOCTYPE/ENTITY or oversize files."""
    if len(data) > MAX_CONFIG_BYTES:
        raise UnsafeConfigError("the file is too big for a mail configuration")
    if _DOCTYPE.search(data):
        raise UnsafeConfigError("the file declares a DOCTYPE or entities")
    try:
        root = ET.fromstring(data)  # noqa: S314 (DOCTYPE refused above: nothing can be expanded)
    except ET.ParseError:
        return None
    if root.tag != "clientConfig":
        return None
    provider = root.find("emailProvider")
    if provider is None:
        return None
    imap = _best_server(provider.findall("incomingServer[@type='imap']"))
    smtp = _best_server(provider.findall("outgoingServer[@type='smtp']"))
    if imap is None or smtp is None:
        return None
    name = (provider.findtext("displayName") or provider.findtext("displayShortName") or domain_of(address)).strip()
    incoming = provider.find("incomingServer[@type='imap']")
    methods = {
        (m.text or "").strip().lower() for m in (incoming.findall("authentication") if incoming is not None else [])
    }
    sign_in = SignIn.PASSWORD
    if methods == {"oauth2"} and ("google" in imap.host or "gmail" in imap.host):
        sign_in = SignIn.OAUTH_GOOGLE
    return MailSettings(name[:100], imap, smtp, sign_in, "", source)


def _best_server(elements: list[ET.Element]) -> ServerSettings | None:
    """The first server with implicit TLS, else STARTTLS, else plain on loopback (the order Thunderbird likes)."""
    candidates: list[ServerSettings] = []
    for element in elements:
        host = (element.findtext("hostname") or "").strip().lower()
        port_text = (element.findtext("port") or "").strip()
        security = _SOCKET_TYPES.get((element.findtext("socketType") or "").strip().upper())
        username = (element.findtext("username") or ADDRESS).strip() or ADDRESS
        if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536 or security is None:
            continue
        if any(c.isspace() or c in "/\\@" for c in host):
            continue
        if security is Security.NONE and host not in _LOOPBACK:
            continue
        candidates.append(ServerSettings(host, int(port_text), security, username))
    order = {Security.TLS: 0, Security.STARTTLS: 1, Security.NONE: 2}
    return min(candidates, key=lambda s: order[s.security]) if candidates else None


class Discovery:
    """`await find(address)`: the settings for an address, or None when nothing was found (then the person
    types them). `urls`, `resolver` (host, port of a DNS server; None: no SRV lookups), `table` (the provider
    lookup) and `ca_file` are for tests and special set-ups."""

    def __init__(
        self,
        *,
        urls: DiscoveryUrls | None = None,
        resolver: tuple[str, int] | bool | None = True,
        ca_file: Path | None = None,
        timeout: float = 8.0,
        use_table: bool = True,
        table: Callable[[str], Provider | None] = provider_for,
    ) -> None:
        self._urls = urls or DiscoveryUrls()
        self._resolver = dns_srv.system_resolver() if resolver is True else (resolver or None)
        self._ca_file = ca_file
        self._timeout = timeout
        self._use_table = use_table
        self._table = table

    async def find(self, address: str) -> MailSettings | None:
        domain = domain_of(address)
        if not domain:
            return None
        provider = self._table(address) if self._use_table else None
        if provider is not None:
            return provider.settings()
        # All HTTP lookups at once (each may wait for a timeout); the first in Thunderbird's order wins.
        lookups = [
            asyncio.to_thread(self._fetch, template, label, address, domain) for template, label in self._urls.ordered()
        ]
        for found in await asyncio.gather(*lookups):
            if found is not None:
                return found
        return await asyncio.to_thread(self._from_srv, domain, address)

    def _fetch(self, template: str, label: str, address: str, domain: str) -> MailSettings | None:
        url = template.format(domain=quote(domain, safe=""), address=quote(address, safe=""))
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            return None
        context = ssl.create_default_context()
        if self._ca_file is not None:
            context.load_verify_locations(cafile=str(self._ca_file))
        try:
            with urllib.request.urlopen(url, timeout=self._timeout, context=context) as response:  # noqa: S310
                data = response.read(MAX_CONFIG_BYTES + 1)
        except (OSError, ValueError) as exc:  # HTTPError, URLError, timeouts, TLS failures, bad URLs
            _log.debug("autoconfig: nothing at %s (%s)", parts.hostname, type(exc).__name__)
            return None
        try:
            return parse_client_config(data, address, label.format(domain=domain))
        except UnsafeConfigError as exc:
            _log.warning("autoconfig: refused the file from %s: %s", parts.hostname, exc)
            return None

    def _from_srv(self, domain: str, address: str) -> MailSettings | None:
        """RFC 6186: IMAP over TLS preferred to IMAP with STARTTLS; submission over TLS to STARTTLS."""
        try:
            imap = self._srv(domain, ("_imaps._tcp", Security.TLS), ("_imap._tcp", Security.STARTTLS))
            smtp = self._srv(domain, ("_submissions._tcp", Security.TLS), ("_submission._tcp", Security.STARTTLS))
        except dns_srv.DnsError as exc:
            _log.debug("autoconfig: no SRV answer for %s (%s)", domain, exc)
            return None
        if imap is None or smtp is None:
            return None
        return MailSettings(domain, imap, smtp, SignIn.PASSWORD, "", f"DNS SRV records of {domain}")

    def _srv(self, domain: str, *services: tuple[str, Security]) -> ServerSettings | None:
        for service, security in services:
            records = dns_srv.lookup_srv(f"{service}.{domain}", self._resolver, timeout=self._timeout)
            if records:
                best = records[0]
                return ServerSettings(best.target, best.port, security)
        return None
