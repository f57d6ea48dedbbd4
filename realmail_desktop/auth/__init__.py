"""Auth: where account secrets live (the OS keyring, or this session's memory when the person chose that), how an
address's servers are found (provider table, autoconfig, DNS SRV) and Google sign-in (OAuth with PKCE)."""

from realmail_desktop.auth.autoconfig import Discovery, DiscoveryUrls
from realmail_desktop.auth.oauth import LoopbackSignIn, OAuthTokens, mail_scopes
from realmail_desktop.auth.oauth_client import OAuthClient, SignInRequiredError, TokenGrant, google_client
from realmail_desktop.auth.providers import MailSettings, Provider, SignIn, provider_for
from realmail_desktop.auth.secrets import SERVICE_NAME, SecretKind, SecretStore

__all__ = [
    "SERVICE_NAME",
    "Discovery",
    "DiscoveryUrls",
    "LoopbackSignIn",
    "MailSettings",
    "OAuthClient",
    "OAuthTokens",
    "Provider",
    "SecretKind",
    "SecretStore",
    "SignIn",
    "SignInRequiredError",
    "TokenGrant",
    "google_client",
    "mail_scopes",
    "provider_for",
]
