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

    # --- ddos -------------------------------------------------------------------------------

    # --- reports / portal -------------------------------------------------------------------
    reports_workers: int = Field(
        1,
        description="Background enrichment threads in this process (0: an API-only node; "
        "another process works the job queue).",
    )
    reports_poll_interval_s: float = Field(
        1.0, description="How often an idle enrichment worker looks for due jobs (seconds)."
    )
    reports_job_lease_s: float = Field(
        120.0,
        description="Lease of a claimed job; a job whose worker died is taken back after it.",
    )
    reports_job_max_attempts: int = Field(5, description="Attempts before a job is marked failed.")
    reports_fetch_pages: bool = Field(
        False,
        description="Let enrichment fetch reported pages for the page detector (analysts "
        "switch it on; off by default: fetching tells the scammer someone looked).",
    )
    reports_max_upload_bytes: int = Field(
        1_048_576, description="Largest accepted report body or uploaded .eml (bytes)."
    )
    reports_bulk_max_items: int = Field(500, description="Most reports in one partner bulk upload.")
    reports_near_duplicate: float = Field(
        0.5,
        description="MinHash similarity (estimated Jaccard of character 5-grams) from which "
        "two report texts are near-duplicates and join one campaign.",
    )
    web_default_language: str = Field(
        "az", description="Language of the portal when the visitor has not chosen (az, ru, en)."
    )
    web_session_hours: float = Field(
        12.0, description="Lifetime of an analyst's web session (hours)."
    )
    web_secure_cookies: bool = Field(
        False,
        description="Mark session cookies Secure (set it when the portal is served over HTTPS).",
    )
