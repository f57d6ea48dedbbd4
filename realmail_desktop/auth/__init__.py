"""Auth: where account secrets live — the OS keyring, or this session's memory when the person chose that."""

from realmail_desktop.auth.secrets import SERVICE_NAME, SecretStore

__all__ = ["SERVICE_NAME", "SecretStore"]
