"""The bundled table of common mail providers: which servers an address's domain uses (IMAP and SMTP host, port,
security, the user name's form) and how to sign in there (Google sign-in, or an app password), looked up by
domain before any network discovery (auth/autoconfig.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Security(StrEnum):
    """Transport security, with the same values as the store's ImapSecurity."""

    TLS = "tls"
    STARTTLS = "starttls"
    NONE = "none"  # only ProtonMail Bridge, on this computer


ADDRESS = "%EMAILADDRESS%"  # user-name templates, as in Thunderbird's autoconfig files
LOCAL_PART = "%EMAILLOCALPART%"


class SignIn(StrEnum):
    PASSWORD = "password"  # noqa: S105 (a way of signing in, not a password)
    APP_PASSWORD = "app_password"  # noqa: S105 (the provider wants a password made for this app)
    OAUTH_GOOGLE = "oauth_google"
    BRIDGE = "bridge"  # ProtonMail Bridge's own password, shown in the Bridge app


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """One server: where and how to connect, and the user name to log in with, as a template:
    %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% stand for the parts of the person's address."""

    host: str
    port: int
    security: Security
    username: str = ADDRESS

    def username_for(self, address: str) -> str:
        local, _, domain = address.strip().rpartition("@")
        return (
            self.username.replace("%EMAILADDRESS%", address.strip())
            .replace("%EMAILLOCALPART%", local)
            .replace("%EMAILDOMAIN%", domain)
        )


@dataclass(frozen=True, slots=True)
class MailSettings:
    """What an account needs: IMAP and SMTP servers, how to sign in, a note for the person, and where the
    settings came from ("RealMail's list of providers", "autoconfig.example.com", …)."""

    name: str
    imap: ServerSettings
    smtp: ServerSettings
    sign_in: SignIn = SignIn.PASSWORD
    note: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    domains: tuple[str, ...]
    imap: ServerSettings
    smtp: ServerSettings
    sign_in: SignIn = SignIn.PASSWORD
    note: str = ""

    def settings(self) -> MailSettings:
        return MailSettings(self.name, self.imap, self.smtp, self.sign_in, self.note, TABLE_SOURCE)


TABLE_SOURCE = "RealMail's list of providers"
_TLS, _STARTTLS = Security.TLS, Security.STARTTLS
_APP_PASSWORD_NOTE = "{name} asks for an app password: make one in your {name} account's security settings."  # noqa: S105 (advice, not a password)


def _imap(host: str, port: int = 993, security: Security = _TLS) -> ServerSettings:
    return ServerSettings(host, port, security)


def _smtp(host: str, port: int = 465, security: Security = _TLS) -> ServerSettings:
    return ServerSettings(host, port, security)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "Gmail",
        ("gmail.com", "googlemail.com"),
        _imap("imap.gmail.com"),
        _smtp("smtp.gmail.com"),
        SignIn.OAUTH_GOOGLE,
        "Sign in with Google in your browser; RealMail never sees your Google password.",
    ),
    Provider(
        "Outlook.com",
        (
            "outlook.com",
            "hotmail.com",
            "hotmail.co.uk",
            "hotmail.fr",
            "hotmail.de",
            "live.com",
            "live.co.uk",
            "msn.com",
        ),
        _imap("outlook.office365.com"),
        _smtp("smtp-mail.outlook.com", 587, _STARTTLS),
        SignIn.PASSWORD,
        "Microsoft is turning off password sign-in for Outlook.com; if it is refused, use an app password.",
    ),
    Provider(
        "Microsoft 365",
        ("office365.com", "onmicrosoft.com"),
        _imap("outlook.office365.com"),
        _smtp("smtp.office365.com", 587, _STARTTLS),
        SignIn.APP_PASSWORD,
        "Your organisation must allow IMAP; ask its administrator if the login is refused.",
    ),
    Provider(
        "Yahoo Mail",
        ("yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "rocketmail.com"),
        _imap("imap.mail.yahoo.com"),
        _smtp("smtp.mail.yahoo.com"),
        SignIn.APP_PASSWORD,
        _APP_PASSWORD_NOTE.format(name="Yahoo"),
    ),
    Provider(
        "AOL Mail",
        ("aol.com", "aim.com"),
        _imap("imap.aol.com"),
        _smtp("smtp.aol.com"),
        SignIn.APP_PASSWORD,
        _APP_PASSWORD_NOTE.format(name="AOL"),
    ),
    Provider(
        "iCloud Mail",
        ("icloud.com", "me.com", "mac.com"),
        _imap("imap.mail.me.com"),
        _smtp("smtp.mail.me.com", 587, _STARTTLS),
        SignIn.APP_PASSWORD,
        "iCloud asks for an app-specific password: make one at appleid.apple.com.",
    ),
    Provider(
        "Fastmail",
        ("fastmail.com", "fastmail.fm", "fastmail.org", "messagingengine.com"),
        _imap("imap.fastmail.com"),
        _smtp("smtp.fastmail.com"),
        SignIn.APP_PASSWORD,
        _APP_PASSWORD_NOTE.format(name="Fastmail"),
    ),
    Provider(
        "GMX",
        ("gmx.net", "gmx.de", "gmx.at", "gmx.ch", "gmx.com", "gmx.us", "gmx.co.uk", "gmx.fr"),
        _imap("imap.gmx.net"),
        _smtp("mail.gmx.net", 587, _STARTTLS),
        SignIn.PASSWORD,
        "Turn on IMAP access in GMX's settings (POP3 & IMAP) first.",
    ),
    Provider(
        "WEB.DE",
        ("web.de",),
        _imap("imap.web.de"),
        _smtp("smtp.web.de", 587, _STARTTLS),
        SignIn.PASSWORD,
        "Turn on IMAP access in WEB.DE's settings (POP3 & IMAP) first.",
    ),
    Provider(
        "Mail.ru",
        ("mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru"),
        _imap("imap.mail.ru"),
        _smtp("smtp.mail.ru"),
        SignIn.APP_PASSWORD,
        "Mail.ru asks for a password for external apps: make one in its security settings.",
    ),
    Provider(
        "Yandex Mail",
        ("yandex.ru", "yandex.com", "ya.ru", "yandex.by", "yandex.kz"),
        _imap("imap.yandex.com"),
        _smtp("smtp.yandex.com"),
        SignIn.APP_PASSWORD,
        _APP_PASSWORD_NOTE.format(name="Yandex"),
    ),
    Provider(
        "Zoho Mail",
        ("zoho.com", "zohomail.com", "zoho.eu"),
        _imap("imap.zoho.com"),
        _smtp("smtp.zoho.com"),
        SignIn.APP_PASSWORD,
        "Turn on IMAP access in Zoho Mail's settings; with two-step sign-in, use an app password.",
    ),
    Provider(
        "ProtonMail (Bridge)",
        ("proton.me", "protonmail.com", "protonmail.ch", "pm.me"),
        _imap("127.0.0.1", 1143, _STARTTLS),
        _smtp("127.0.0.1", 1025, _STARTTLS),
        SignIn.BRIDGE,
        "Proton Mail works through Proton Mail Bridge on this computer: start it and use the password it shows.",
    ),
    Provider(
        "mailbox.org",
        ("mailbox.org",),
        _imap("imap.mailbox.org"),
        _smtp("smtp.mailbox.org"),
    ),
    Provider(
        "Posteo",
        ("posteo.de", "posteo.net"),
        _imap("posteo.de", 993),
        _smtp("posteo.de", 465),
    ),
    Provider(
        "Comcast (Xfinity)",
        ("comcast.net",),
        _imap("imap.comcast.net"),
        _smtp("smtp.comcast.net", 587, _STARTTLS),
    ),
    Provider(
        "T-Online",
        ("t-online.de",),
        _imap("secureimap.t-online.de"),
        _smtp("securesmtp.t-online.de"),
        SignIn.PASSWORD,
        "T-Online asks for its e-mail password, not the login password of your customer account.",
    ),
    Provider(
        "Libero Mail",
        ("libero.it",),
        _imap("imapmail.libero.it"),
        _smtp("smtp.libero.it"),
    ),
    Provider(
        "Orange",
        ("orange.fr", "wanadoo.fr"),
        _imap("imap.orange.fr"),
        _smtp("smtp.orange.fr"),
    ),
    Provider(
        "Seznam",
        ("seznam.cz", "email.cz", "post.cz"),
        _imap("imap.seznam.cz"),
        _smtp("smtp.seznam.cz"),
    ),
)

_BY_DOMAIN: dict[str, Provider] = {domain: provider for provider in PROVIDERS for domain in provider.domains}


def domain_of(address: str) -> str:
    """The address's domain, lower-case, without a trailing dot ('' when there is no @)."""
    local, at, domain = address.strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at and local else ""


def provider_for(address: str) -> Provider | None:
    """The provider of an address's domain in the bundled table (a subdomain does not count: mx.gmail.com
    is not gmail.com's mail)."""
    return _BY_DOMAIN.get(domain_of(address))


def is_google_address(address: str) -> bool:
    """Gmail's own domains. (Google Workspace domains are found by autoconfig or MX lookups, not here.)"""
    provider = provider_for(address)
    return provider is not None and provider.sign_in is SignIn.OAUTH_GOOGLE
