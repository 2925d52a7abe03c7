"""Alerts: stored (SQLite and PostgreSQL), served by GET /v1/ddos/alerts, sent to a webhook
on 127.0.0.1 and to a notify command; and the live path: NetFlow v5 over UDP on 127.0.0.1
-> FlowListener -> detector -> alerts."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import numpy as np

from qalxan.api.app import create_app
from qalxan.api.auth import Principal
from qalxan.cli.ddos import replay_file
from qalxan.collect.listener import FlowListener
from qalxan.collect.netflow import encode_v5
from qalxan.collect.pcap import read_pcap
from qalxan.policy.ddos_alerts import StoreSink, event_document, list_alerts
from qalxan.service.ddos import LiveDetection
from qalxan.settings import Settings
from qalxan.store import Store


def _attack(ddos_dir: Path, name: str = "ntp_amp.pcap") -> dict[str, Any]:
    attack: dict[str, Any] = replay_file(ddos_dir / "synthetic_scapy" / name)["attacks"][0]
    return attack


def test_store_and_filters(store: Store, ddos_dir: Path) -> None:
    a = _attack(ddos_dir)
    sink = StoreSink(store)
    sink(event_document("start", a["detected_at"], {**a, "state": "active"}))
    assert [x["state"] for x in list_alerts(store)] == ["active"]
    sink(event_document("end", a["end"], a))
    b = _attack(ddos_dir, "syn_flood.pcap")
    b = {**b, "id": "other", "victim": "203.0.113.99", "start": 1.0, "end": 2.0}
    sink(event_document("end", 2.0, b))
    assert [x["victim"] for x in list_alerts(store)] == ["203.0.113.10", "203.0.113.99"]
    assert [x["id"] for x in list_alerts(store, state="ended", since=1000.0)] == [a["id"]]
    assert [x["id"] for x in list_alerts(store, until=10.0)] == ["other"]
    assert list_alerts(store, victim="203.0.113.99")[0]["vectors"] == ["syn_flood"]


def test_api_route_scopes_and_filters(settings: Settings, ddos_dir: Path) -> None:
    store = Store(settings.database_url)
    store.migrate()
    StoreSink(store)(event_document("end", 0.0, _attack(ddos_dir)))
    app = create_app(settings, store=store)
    keys = {
        "isp-key": Principal("1", "isp", frozenset({"isp"})),
        "bank-key": Principal("2", "bank", frozenset({"bank"})),
    }
    app.state.key_resolver = keys.get

    async def calls() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://qalxan") as client:
            isp = {"X-API-Key": "isp-key"}
            return [
                await client.get("/v1/ddos/alerts"),
                await client.get("/v1/ddos/alerts", headers={"X-API-Key": "bank-key"}),
                await client.get("/v1/ddos/alerts", headers=isp),
                await client.get("/v1/ddos/alerts?state=active", headers=isp),
                await client.get("/v1/ddos/alerts?state=bogus", headers=isp),
            ]

    none, wrong, ok, active, bogus = asyncio.run(calls())
    assert none.status_code == 401 and wrong.status_code == 403
    assert ok.status_code == 200
    alerts = ok.json()["alerts"]
    assert alerts[0]["vector"] == "ntp_amplification" and alerts[0]["state"] == "ended"
    assert active.json() == {"alerts": []}
    assert bogus.status_code == 422
    store.dispose()


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_live_netflow_to_store_webhook_and_notify(
    settings: Settings, ddos_dir: Path, tmp_path: Path
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = tmp_path / "notified.jsonl"
    script = tmp_path / "notify.py"
    script.write_text(f"import sys\nopen({str(out)!r}, 'a').write(sys.stdin.read() + '\\n')\n")
    notify = f"{sys.executable} {script}"
    cfg = settings.model_copy(
        update={
            "ddos_webhook_url": f"http://127.0.0.1:{server.server_port}/hook",
            "ddos_notify_command": notify,
            "ddos_lateness_s": 0.0,
        }
    )
    store = Store(cfg.database_url)
    store.migrate()
    live = LiveDetection(cfg, store)
    listener = FlowListener(("127.0.0.1", 0), None, live.on_batch)
    listener.start()
    try:
        flows = np.concatenate(list(read_pcap(ddos_dir / "synthetic_scapy" / "syn_flood.pcap")))
        tail = flows[:1].copy()  # one late record closes the flood's window
        tail["start"] = tail["end"] = flows["end"].max() + 2.0
        grams = encode_v5(np.concatenate([flows, tail]), boot_time=flows["start"].min() - 100)
        addr = listener.netflow_address
        assert addr is not None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for g in grams:
                sock.sendto(g, addr)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not live.events:
            time.sleep(0.1)
    finally:
        listener.stop()
    live.close()
    server.shutdown()
    server.server_close()
    kinds = [e.kind for e in live.events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert live.events[0].attack["vectors"] == ["syn_flood"]
    stored = list_alerts(store)
    assert stored[0]["state"] == "ended" and stored[0]["victim"] == "203.0.113.10"
    assert any("dry_run" in m and m["dry_run"] for m in stored[0]["mitigation"])
    assert [d["event"] for d in _Hook.received][:1] == ["start"]
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert lines[0]["attack"]["vector"] == "syn_flood"
    assert live.dispatch.failures == {}
    store.dispose()
