"""Report intake and campaign joining on SQLite (one thread, so figures are per core).

Submits N synthetic reports (templates with varying links, numbers and wording), then enriches
them one by one (test-double detectors, so the figure is intake + store + campaign join, not
detector speed). Run: ``nice python -m bench reports`` (N = 1000 reports).
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from pathlib import Path

from qalxan.service import Engine
from qalxan.service.reports import NewReport, ReportService
from qalxan.settings import Settings
from qalxan.store import Store
from qalxan.store.campaigns import list_campaigns
from qalxan.testing import ScriptedDetector

N = 1000
TEMPLATES = [
    "Salam! Malınızı alıram, pulu Azərpoçt ilə ödədim. Pulu almaq üçün kart məlumatlarını "
    "daxil edin: https://azerpost-{a}.site/pay/{n}",
    "Hörmətli müştəri, kartınız bloklanıb. Təsdiq üçün {phone} nömrəsinə zəng edin və ya "
    "https://kapital-{a}.online/verify açın",
    "Təbriklər! Uşaqlı hər bir ailəyə 500 manat müavinət. Qeydiyyat: https://gov-{a}.info/{n}",
    "Bağlamanız anbara çatıb, ünvan səhvdir. 1.{n} AZN ödəyin: https://post-{a}.top/track",
]


def _reports(rng: random.Random) -> list[NewReport]:
    out = []
    for i in range(N):
        template = TEMPLATES[i % len(TEMPLATES)]
        text = template.format(
            a=rng.choice(["odenis", "pay", "az", "kabinet", f"x{rng.randrange(200)}"]),
            n=rng.randrange(10_000),
            phone=f"+99450{rng.randrange(10_000_000):07d}",
        )
        out.append(NewReport(text=text, channel=rng.choice(["sms", "whatsapp", "telegram"])))
    return out


def main() -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", var_dir=Path(tmp))
        store = Store(settings.database_url)
        store.migrate()
        engine = Engine(settings)
        rule = (re.compile("kart|müavinət", re.I), 0.9, "bench.lure", {"en": "lure"})
        engine.register("message", ScriptedDetector("message", [rule]))
        engine.register("url", ScriptedDetector("url", []))
        service = ReportService(settings, store, engine)
        items = _reports(rng)
        # CPU time of this process: the machine is shared, wall time would measure the others.
        t0 = time.process_time()
        ids = [service.submit(item).id for item in items]
        t1 = time.process_time()
        for rid in ids:
            service.enrich(rid)
        t2 = time.process_time()
        with store.read() as session:
            campaigns = list_campaigns(session, limit=100_000)
        store.dispose()
    print(f"reports: {N}")
    intake, enrich = N / (t1 - t0), N / (t2 - t1)
    print(f"intake (validate + durable insert + job): {intake:,.0f} reports/s per core (CPU)")
    print(f"enrich (detector doubles + keys + MinHash + join): {enrich:,.0f} reports/s per core")
    sizes = sorted((c["reports"] for c in campaigns), reverse=True)
    print(f"campaigns: {len(campaigns)}; largest: {sizes[:5]}")
