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
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Worker processes of `qalxan serve` on one port (each loads the detectors; "
        "rate limits and caches are per process).",
    )
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
    api_key_cache_seconds: float = Field(
        30.0,
        description="How long an API key look-up is cached in a process; a key revoked in "
        "another process stops working after at most this long.",
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
    message_cache_size: int = Field(
        20_000,
        ge=0,
        description="Verdicts of the operator batch path kept in an LRU keyed by (text, "
        "sender, channel); repeated campaign texts are answered from it. 0 turns it off.",
    )
    message_cache_ttl_s: float = Field(
        300.0, gt=0, description="Seconds a cached message verdict is reused at most."
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
    ddos_hostgroups: Path | None = Field(
        None,
        description="YAML file of protected host groups with their thresholds (docs/ddos.md); "
        "without it every address gets the default thresholds.",
    )
    ddos_profile: str = Field(
        "default",
        description="Threshold profile of qalxan/data/ddos/thresholds.yaml: `default`, or "
        "`excerpt` for trimmed attack captures.",
    )
    ddos_lateness_s: float = Field(
        2.0,
        description="Live collection: seconds a 1 s window stays open for late flow records.",
    )
    ddos_webhook_url: str | None = Field(
        None, description="URL that receives each alert event as a JSON POST (none: off)."
    )
    ddos_webhook_timeout_s: float = Field(5.0, description="Timeout of one webhook POST.")
    ddos_notify_command: str | None = Field(
        None,
        description="Command run for each alert event with the event JSON on stdin "
        "(split like a shell line, run without a shell).",
    )
    ddos_mitigation_dry_run: bool = Field(
        True,
        description="Plan BGP blackholes and FlowSpec rules and log them, but announce nothing.",
    )
    ddos_exabgp_fifo: Path = Field(
        Path("var/exabgp.fifo"),
        description="Named pipe that `qalxan ddos exabgp-relay` (run by ExaBGP) copies to "
        "ExaBGP; mitigation writes its announce/withdraw lines here.",
    )
    ddos_next_hop: str = Field(
        "192.0.2.1", description="Next hop of blackhole routes (discarded by the routers)."
    )
    ddos_next_hop_v6: str = Field(
        "100::1", description="Next hop of IPv6 blackhole routes (RFC 6666 discard prefix)."
    )
    ddos_blackhole_community: str = Field(
        "65535:666", description="Community of blackhole routes (RFC 7999 BLACKHOLE)."
    )
    ddos_blackhole_min_mbps: float = Field(
        1000.0,
        description="Blackhole a victim /32 or /128 only when the attack reaches this rate; "
        "below it FlowSpec rules filter the vectors.",
    )
    ddos_flowspec_action: str = Field(
        "discard", description="FlowSpec action: `discard`, or `rate-limit` (see next)."
    )
    ddos_flowspec_rate_bps: int = Field(
        1_000_000, description="Rate (bytes/s, as FlowSpec counts) for `rate-limit` rules."
    )
    ddos_mitigation_ttl_s: float = Field(
        600.0,
        description="Withdraw a mitigation this many seconds after it was announced, even if "
        "the attack has not ended.",
    )
    ddos_allowlist: list[str] = Field(
        default_factory=list,
        description="Prefixes never blackholed or filtered (resolvers, peers, own routers).",
    )
    ddos_max_prefix_v4: int = Field(
        24, description="FlowSpec destinations may not be wider than this IPv4 length."
    )
    ddos_max_prefix_v6: int = Field(
        48, description="FlowSpec destinations may not be wider than this IPv6 length."
    )

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
