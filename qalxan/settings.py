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
    message_model_dir: Path | None = Field(
        None,
        description="Folder with a message model (model.npz + model.json) to use instead of "
        "the one shipped in the package (for example one made by `qalxan train message`).",
    )
    message_max_chars: int = Field(
        20_000,
        description="Longest message text (characters) the API accepts; longer ones get a 422 "
        "naming the field. The detector reads at most the first 10,000 characters of any text.",
    )
    message_batch_max: int = Field(
        1_000, description="Most messages in one `POST /v1/messages/score` batch."
    )

    # --- page / fetch -----------------------------------------------------------------------
    fetch_allow_loopback: bool = Field(
        False,
        description="Let the safe fetcher reach loopback addresses. For tests only: "
        "it opens the door to SSRF.",
    )

    # --- ddos -------------------------------------------------------------------------------

    # --- reports / portal -------------------------------------------------------------------
