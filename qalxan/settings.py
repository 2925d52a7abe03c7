"""The one settings object, read once at start-up (prefix ``QALXAN_``) and passed down.

Every field has a default and a description; ``docs/settings.md`` is generated from this
class (``qalxan settings --markdown``) and a test fails when it is out of date.
Each area keeps its settings in its own block below.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """All configuration of a Qalxan process."""

    model_config = SettingsConfigDict(env_prefix="QALXAN_", extra="forbid", frozen=True)

    # --- core -------------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite:///var/qalxan.db",
        description="SQLAlchemy URL of the store: SQLite file by default, "
        "postgresql+psycopg://... at scale.",
    )
    var_dir: Path = Field(
        Path("var"), description="Folder for the SQLite file, evidence and state."
    )
    host: str = Field("127.0.0.1", description="Address `qalxan serve` listens on.")
    port: int = Field(8000, description="Port `qalxan serve` listens on.")
    secret_key: SecretStr = Field(
        SecretStr("change-me-qalxan-dev-key"),
        description="Key for the keyed hashes of card numbers and for session signing. "
        "Set a long random value in production.",
    )
    log_level: str = Field("INFO", description="Logging level of the server.")
    load_reference_data: bool = Field(
        True, description="Load the brand registry into the store at start (idempotent)."
    )
    rate_limit_per_minute: int = Field(
        120, description="Requests per minute per client address on public routes."
    )

    # --- url --------------------------------------------------------------------------------

    # --- message ----------------------------------------------------------------------------

    # --- page / fetch -----------------------------------------------------------------------
    fetch_allow_loopback: bool = Field(
        False,
        description="Let the safe fetcher reach loopback addresses. For tests only: "
        "it opens the door to SSRF.",
    )
    fetch_timeout_s: float = Field(
        15.0, description="Time limit of one page fetch, redirects included (seconds)."
    )
    fetch_max_bytes: int = Field(
        5_000_000, description="Largest page body the fetcher accepts (bytes, after gzip)."
    )
    fetch_max_redirects: int = Field(10, description="Most redirects the fetcher follows.")
    fetch_ports: list[int] = Field(
        default_factory=lambda: [80, 443, 8080, 8443],
        description="Destination ports the fetcher may connect to (empty list: any port).",
    )
    fetch_verify_tls: bool = Field(
        True,
        description="Verify TLS certificates of fetched pages (the certificate is "
        "recorded as evidence only when verified).",
    )
    page_model_path: Path | None = Field(
        None,
        description="Page model artifact (.npz) to load instead of the packaged "
        "`qalxan/data/models/page/page_model.npz`.",
    )
    render_chromium_path: Path = Field(
        Path("/usr/bin/chromium"),
        description="Chromium executable for optional page rendering (Playwright drives it; "
        "no browser download).",
    )
    render_timeout_s: float = Field(20.0, description="Time limit of one page rendering.")
    render_max_requests: int = Field(
        60,
        description="Most sub-requests (images, scripts) one rendering may make; each "
        "goes through the safe fetcher.",
    )

    # --- ddos -------------------------------------------------------------------------------

    # --- reports / portal -------------------------------------------------------------------
