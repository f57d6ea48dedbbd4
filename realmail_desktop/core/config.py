"""Settings from the environment (`REALMAIL_*`) and the profile's paths (platformdirs by default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "RealMail"


class Settings(BaseSettings):
    """Process-wide settings. Every field can be set as `REALMAIL_<FIELD>` in the environment."""

    # An empty variable means "not set": REALMAIL_PROFILE_DIR= must not turn into the current directory.
    model_config = SettingsConfigDict(env_prefix="REALMAIL_", extra="ignore", env_ignore_empty=True)

    profile_dir: Path | None = None
    log_level: str = "INFO"
    list_page_size: int = 200
    # A CA certificate (PEM) trusted in addition to the system's, for a company's own CA or a test server.
    extra_ca_file: Path | None = None
    # "Sign in with Google" (auth/oauth_client.py): RealMail's installed-app client, or a person's own
    # client_secret.json from the Google Cloud console; the endpoints move only for tests (a local fake).
    google_client_id: str = ""
    google_client_secret: str = ""
    google_client_secret_file: Path | None = None
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"  # noqa: S105 (an address, not a token)
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"


@dataclass(frozen=True, slots=True)
class ProfilePaths:
    """Where one profile keeps its files. Nothing here ever holds a secret."""

    root: Path

    @classmethod
    def resolve(cls, profile_dir: Path | None, settings: Settings | None = None) -> ProfilePaths:
        """The profile named on the command line, else `REALMAIL_PROFILE_DIR`, else the platform's data dir."""
        chosen = profile_dir or (settings or Settings()).profile_dir
        if chosen is None:
            chosen = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        return cls(chosen.expanduser().resolve())

    @property
    def database(self) -> Path:
        return self.root / "realmail.sqlite3"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
