"""Finding mail settings: the bundled provider table, Thunderbird-style autoconfig files from a local HTTP
server (each URL form, bad XML, a DOCTYPE bomb refused) and RFC 6186 SRV records from a local DNS stub."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from realmail_desktop.auth.autoconfig import Discovery, DiscoveryUrls, UnsafeConfigError, parse_client_config
from realmail_desktop.auth.dns_srv import DnsError, decode_srv_answer, encode_query, lookup_srv
from realmail_desktop.auth.providers import PROVIDERS, Security, SignIn, domain_of, is_google_address, provider_for
from tests.servers.dns_stub import DnsStub


def client_config(
    host: str = "mail.example.org", *, imap_type: str = "SSL", username: str = "%EMAILLOCALPART%"
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname><port>995</port><socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>plain.{host}</hostname><port>143</port><socketType>plain</socketType>
      <username>{username}</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>{host}</hostname><port>{993 if imap_type == "SSL" else 143}</port><socketType>{imap_type}</socketType>
      <username>{username}</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>""".encode()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<clientConfig><emailProvider><displayName>&lol3;</displayName></emailProvider></clientConfig>"""


# --- the provider table ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "name", "imap_host", "smtp_port", "sign_in"),
    [
        ("ann@gmail.com", "Gmail", "imap.gmail.com", 465, SignIn.OAUTH_GOOGLE),
        ("Ann@GoogleMail.com", "Gmail", "imap.gmail.com", 465, SignIn.OAUTH_GOOGLE),
        ("bo@hotmail.co.uk", "Outlook.com", "outlook.office365.com", 587, SignIn.PASSWORD),
        ("cy@yahoo.com", "Yahoo Mail", "imap.mail.yahoo.com", 465, SignIn.APP_PASSWORD),
        ("di@me.com", "iCloud Mail", "imap.mail.me.com", 587, SignIn.APP_PASSWORD),
        ("ed@fastmail.com", "Fastmail", "imap.fastmail.com", 465, SignIn.APP_PASSWORD),
        ("fa@gmx.de", "GMX", "imap.gmx.net", 587, SignIn.PASSWORD),
        ("gu@mail.ru", "Mail.ru", "imap.mail.ru", 465, SignIn.APP_PASSWORD),
        ("ha@zoho.com", "Zoho Mail", "imap.zoho.com", 465, SignIn.APP_PASSWORD),
        ("io@aol.com", "AOL Mail", "imap.aol.com", 465, SignIn.APP_PASSWORD),
        ("ju@yandex.ru", "Yandex Mail", "imap.yandex.com", 465, SignIn.APP_PASSWORD),
        ("ka@web.de", "WEB.DE", "imap.web.de", 587, SignIn.PASSWORD),
        ("li@proton.me", "ProtonMail (Bridge)", "127.0.0.1", 1025, SignIn.BRIDGE),
    ],
)
def test_common_providers_are_in_the_table(
    address: str, name: str, imap_host: str, smtp_port: int, sign_in: SignIn
) -> None:
    provider = provider_for(address)
    assert provider is not None
    assert (provider.name, provider.imap.host, provider.smtp.port, provider.sign_in) == (
        name,
        imap_host,
        smtp_port,
        sign_in,
    )
    assert provider.imap.username_for(address.strip()) == address.strip()


def test_unknown_domains_subdomains_and_junk_are_not_in_the_table() -> None:
    assert provider_for("ann@example.org") is None
    assert provider_for("ann@mail.gmail.com") is None  # a subdomain is not the provider's mail domain
    assert provider_for("gmail.com") is None and provider_for("@gmail.com") is None and provider_for("") is None
    assert domain_of(" Ann@Example.ORG. ") == "example.org"
    assert is_google_address("x@gmail.com") and not is_google_address("x@yahoo.com")


def test_the_table_is_consistent() -> None:
    domains = [d for p in PROVIDERS for d in p.domains]
    assert len(domains) == len(set(domains)), "a domain is listed twice"
    for provider in PROVIDERS:
        assert provider.imap.security is not Security.NONE and provider.smtp.security is not Security.NONE
        assert all(d == d.lower() and "@" not in d for d in provider.domains)


# --- clientConfig parsing ----------------------------------------------------------------------------------------


def test_a_client_config_gives_the_best_imap_and_smtp_server_with_user_names_filled_in() -> None:
    found = parse_client_config(client_config(), "ann@example.org", "autoconfig.example.org")
    assert found is not None
    assert (found.name, found.source) == ("Example Mail", "autoconfig.example.org")
    assert (found.imap.host, found.imap.port, found.imap.security) == ("mail.example.org", 993, Security.TLS)
    assert found.imap.username_for("ann@example.org") == "ann"  # %EMAILLOCALPART%
    assert (found.smtp.host, found.smtp.port, found.smtp.security) == ("smtp.example.org", 587, Security.STARTTLS)
    assert found.smtp.username_for("ann@example.org") == "ann@example.org"


def test_bad_xml_and_files_that_are_not_client_configs_give_nothing() -> None:
    for data in (b"", b"<clientConfig><emailProvider>", b"<html><body>404</body></html>", b"\xff\xfe junk"):
        assert parse_client_config(data, "a@example.org", "x") is None
    no_smtp = client_config().replace(b'type="smtp"', b'type="ews"')
    assert parse_client_config(no_smtp, "a@example.org", "x") is None


def test_a_doctype_bomb_or_an_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeConfigError):
        parse_client_config(BOMB, "a@example.org", "x")
    with pytest.raises(UnsafeConfigError):
        parse_client_config(b"<clientConfig>" + b" " * 300_000 + b"</clientConfig>", "a@example.org", "x")


def test_a_server_without_tls_is_never_offered_off_this_computer() -> None:
    only_plain = client_config(imap_type="plain")
    assert parse_client_config(only_plain, "a@example.org", "x") is None


# --- discovery over HTTP on loopback ----------------------------------------------------------------------------


class ConfigServer:
    """Serves clientConfig files by path on 127.0.0.1 and records the paths asked for."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.asked: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.asked.append(self.path)
                body = outer.files.get(urlsplit(self.path).path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.urls = DiscoveryUrls(
            domain_autoconfig=base + "/autoconfig/{domain}/mail/config-v1.1.xml?emailaddress={address}",
            well_known=base + "/{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
            isp_database=base + "/ispdb/v1.1/{domain}",
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def config_server() -> Iterator[ConfigServer]:
    server = ConfigServer()
    yield server
    server.close()


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("/autoconfig/example.org/mail/config-v1.1.xml", "autoconfig.example.org"),
        ("/example.org/.well-known/autoconfig/mail/config-v1.1.xml", "example.org/.well-known/autoconfig"),
        ("/ispdb/v1.1/example.org", "Thunderbird's ISP database"),
    ],
)
async def test_each_autoconfig_url_form_is_tried_and_says_where_the_settings_came_from(
    config_server: ConfigServer, path: str, source: str
) -> None:
    config_server.files[path] = client_config()
    found = await Discovery(urls=config_server.urls, resolver=None).find("ann@example.org")
    assert found is not None and found.source == source and found.imap.host == "mail.example.org"
    assert "/autoconfig/example.org/mail/config-v1.1.xml?emailaddress=ann%40example.org" in config_server.asked


async def test_the_domain_s_own_file_wins_over_the_isp_database(config_server: ConfigServer) -> None:
    config_server.files["/ispdb/v1.1/example.org"] = client_config("isp.example.org")
    config_server.files["/autoconfig/example.org/mail/config-v1.1.xml"] = client_config("own.example.org")
    found = await Discovery(urls=config_server.urls, resolver=None).find("ann@example.org")
    assert found is not None and found.imap.host == "own.example.org"


async def test_a_bomb_or_bad_xml_is_skipped_and_the_next_source_is_used(config_server: ConfigServer) -> None:
    config_server.files["/autoconfig/example.org/mail/config-v1.1.xml"] = BOMB
    config_server.files["/example.org/.well-known/autoconfig/mail/config-v1.1.xml"] = b"<clientConfig><oops"
    config_server.files["/ispdb/v1.1/example.org"] = client_config("isp.example.org")
    found = await Discovery(urls=config_server.urls, resolver=None).find("ann@example.org")
    assert found is not None and found.source == "Thunderbird's ISP database"


async def test_the_table_answers_first_without_any_traffic(config_server: ConfigServer) -> None:
    found = await Discovery(urls=config_server.urls, resolver=None).find("ann@gmail.com")
    assert found is not None and found.sign_in is SignIn.OAUTH_GOOGLE and found.source == "RealMail's list of providers"
    assert config_server.asked == []


async def test_nothing_found_anywhere_gives_none(config_server: ConfigServer) -> None:
    assert await Discovery(urls=config_server.urls, resolver=None).find("ann@example.org") is None
    assert await Discovery(urls=config_server.urls, resolver=None).find("not an address") is None


async def test_plain_http_off_this_computer_is_never_fetched() -> None:
    urls = DiscoveryUrls("http://autoconfig.{domain}/x", "http://{domain}/y", "http://isp.invalid/{domain}")
    assert await Discovery(urls=urls, resolver=None, use_table=False).find("ann@example.org") is None


# --- RFC 6186 SRV records from a local DNS stub -----------------------------------------------------------------


async def test_srv_records_are_the_last_resort(config_server: ConfigServer) -> None:
    records = {
        "_imaps._tcp.example.org": [(20, 0, 993, "backup.example.org"), (10, 5, 993, "imap.example.org")],
        "_submission._tcp.example.org": [(0, 1, 587, "smtp.example.org")],
    }
    with DnsStub(records) as dns:
        found = await Discovery(urls=config_server.urls, resolver=dns.address).find("ann@example.org")
    assert found is not None and found.source == "DNS SRV records of example.org"
    assert (found.imap.host, found.imap.port, found.imap.security) == ("imap.example.org", 993, Security.TLS)
    assert (found.smtp.host, found.smtp.port, found.smtp.security) == ("smtp.example.org", 587, Security.STARTTLS)
    assert "_submissions._tcp.example.org" in dns.questions  # implicit TLS asked for before STARTTLS


async def test_a_dot_target_means_no_service(config_server: ConfigServer) -> None:
    records = {
        "_imaps._tcp.example.org": [(0, 0, 0, ".")],
        "_submission._tcp.example.org": [(0, 0, 587, "s.example.org")],
    }
    with DnsStub(records) as dns:
        assert await Discovery(urls=config_server.urls, resolver=dns.address).find("ann@example.org") is None


def test_dns_answers_that_are_not_ours_or_malformed_are_errors() -> None:
    with DnsStub({"_imaps._tcp.example.org": [(1, 1, 993, "imap.example.org")]}) as dns:
        answer = dns.answer(encode_query("_imaps._tcp.example.org", query_id=7))
        assert decode_srv_answer(answer, 7)[0].target == "imap.example.org"
        with pytest.raises(DnsError):
            decode_srv_answer(answer, 8)
        with pytest.raises(DnsError):
            decode_srv_answer(answer[:-3], 7)
        looped = answer[:12] + b"\xc0\x0c" + answer[14:]  # the question's name points at itself
        with pytest.raises(DnsError):
            decode_srv_answer(looped, 7)
        assert lookup_srv("_imaps._tcp.nowhere.example", dns.address) == []
