"""Commands: ``qalxan ddos replay|listen|exabgp-relay``."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import typer

from qalxan.cli.common import emit_json, err_console, get_settings
from qalxan.domain.errors import QalxanError

app = typer.Typer(help="DDoS detection from flows and captures.", no_args_is_help=True)


class Format(StrEnum):
    pcap = "pcap"
    nfdump_csv = "nfdump-csv"


def _guess(path: Path) -> Format:
    name = path.name.lower()
    return Format.nfdump_csv if name.endswith((".csv", ".csv.gz")) else Format.pcap


def _batches(path: Path, fmt: Format, sampling: int) -> Iterator[np.ndarray]:
    if fmt is Format.pcap:
        from qalxan.collect.pcap import read_pcap

        for batch in read_pcap(path):
            if sampling > 1:
                batch["sampling"] = sampling
            yield batch
    else:
        from qalxan.collect.nfdump import read_nfdump_csv

        yield from read_nfdump_csv(path, sampling=sampling)


def replay_file(
    path: Path,
    *,
    fmt: Format | None = None,
    profile: str = "default",
    hostgroups: Path | None = None,
    sampling: int = 1,
    plan: bool = False,
) -> dict[str, Any]:
    """Replay a capture through the detector: ``{"attacks": [...]}`` in the capture's clock."""
    from qalxan.policy.mitigation import exabgp_line
    from qalxan.service.ddos import build_detector, mitigation_policy

    detector = build_detector(hostgroups, profile=profile)
    events = detector.run(_batches(path, fmt or _guess(path), sampling))
    attacks = [e.attack for e in events if e.kind == "end"]
    attacks.sort(key=lambda a: (a["start"], a["victim"]))
    if plan:
        policy = mitigation_policy(get_settings())
        for a in attacks:
            rules, refused = policy.plan(a)
            a["mitigation"] = {
                "rules": [r.to_dict() for r in rules],
                "exabgp": [exabgp_line(r, policy) for r in rules],
                "refused": refused,
            }
    return {"attacks": attacks, "late_records": detector.late_records_}


@app.command("replay")
def replay(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="pcap/pcapng or CSV."),
    format: Format | None = typer.Option(None, "--format", help="Default: from the name."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    profile: str | None = typer.Option(None, help="Threshold profile (default, excerpt)."),
    hostgroups: Path | None = typer.Option(None, help="Host-group YAML (docs/ddos.md)."),
    sampling: int = typer.Option(1, help="1-in-N sampling of the capture."),
    plan: bool = typer.Option(False, help="Add the mitigation each attack would get."),
    nft: bool = typer.Option(False, help="Print the plan as an nftables script instead."),
) -> None:
    """Detect attacks in a capture; times are the capture's own (epoch seconds)."""
    settings = get_settings()
    try:
        result = replay_file(
            file,
            fmt=format,
            profile=profile or settings.ddos_profile,
            hostgroups=hostgroups or settings.ddos_hostgroups,
            sampling=sampling,
            plan=plan or nft,
        )
    except QalxanError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from None
    if nft:
        from qalxan.policy.mitigation import Rule, nft_rules

        rules = [Rule(**r) for a in result["attacks"] for r in a["mitigation"]["rules"]]
        sys.stdout.write(nft_rules(rules))
        return
    if json_out:
        emit_json(result)
        return
    if not result["attacks"]:
        typer.echo("no attack")
    for a in result["attacks"]:
        typer.echo(
            f"{a['victim']:<20} {','.join(a['vectors']):<40} "
            f"{a['start']:.0f}-{a['end']:.0f}  peak {a['peak_pps']:.0f} pps "
            f"{a['peak_bps'] / 1e6:.1f} Mbps  confidence {a['confidence']:.2f}"
        )


def _address(text: str | None) -> tuple[str, int] | None:
    if not text:
        return None
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1", int(port))


@app.command("listen")
def listen(
    netflow: str | None = typer.Option(None, help="HOST:PORT for NetFlow v5/v9/IPFIX."),
    sflow: str | None = typer.Option(None, help="HOST:PORT for sFlow v5."),
    json_out: bool = typer.Option(False, "--json", help="Print each event as JSON."),
    duration: float | None = typer.Option(None, help="Stop after this many seconds."),
    store_alerts: bool = typer.Option(True, "--store/--no-store", help="Store alerts."),
) -> None:
    """Run live: detect, store alerts, webhook, notify, mitigation (dry-run by default)."""
    from qalxan.collect.listener import FlowListener
    from qalxan.service.ddos import LiveDetection
    from qalxan.store import Store

    settings = get_settings()
    store = None
    if store_alerts:
        store = Store(settings.database_url)
        store.migrate()
    live = LiveDetection(settings, store)
    listener = FlowListener(_address(netflow), _address(sflow), live.on_batch)
    listener.start()
    err_console.print(
        f"listening netflow={netflow} sflow={sflow} "
        f"mitigation={'dry-run' if settings.ddos_mitigation_dry_run else 'ON'}"
    )
    seen = 0
    stop_at = time.monotonic() + duration if duration else None
    try:
        while stop_at is None or time.monotonic() < stop_at:
            time.sleep(0.2)
            live.tick(time.time())
            for ev in live.events[seen:]:
                _print_event(ev.kind, ev.attack, json_out)
            seen = len(live.events)
    except KeyboardInterrupt:
        pass
    finally:
        listener.stop()
        live.close()
        for ev in live.events[seen:]:
            _print_event(ev.kind, ev.attack, json_out)


def _print_event(kind: str, attack: dict[str, Any], json_out: bool) -> None:
    if json_out:
        emit_json({"event": kind, "attack": attack})
    else:
        typer.echo(f"{kind:<6} {attack['victim']} {','.join(attack['vectors'])}")
    sys.stdout.flush()


@app.command("exabgp-relay")
def exabgp_relay(
    fifo: Path | None = typer.Option(None, help="Named pipe (default: ddos_exabgp_fifo)."),
) -> None:
    """Run by ExaBGP as an API process: copies mitigation lines from the pipe to stdout."""
    from qalxan.policy.exabgp import relay

    relay(fifo or get_settings().ddos_exabgp_fifo, sys.stdout)
