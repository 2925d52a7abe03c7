"""Detector behaviour on made-up flows: elephants, carpet bombing, baselines, host groups,
lifecycle and the detector contract."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qalxan.data import read_yaml
from qalxan.detect.ddos import DDoSDetector, DetectorConfig
from qalxan.domain.errors import ConfigError
from qalxan.domain.flows import addr_bytes, empty_flows
from qalxan.domain.verdict import Verdict

T0 = 1_800_000_000.0


def _config(hostgroups: dict[str, Any] | None = None, **life: Any) -> DetectorConfig:
    cfg = DetectorConfig.build(
        read_yaml("ddos/thresholds.yaml"), read_yaml("ddos/vectors.yaml"), hostgroups
    )
    return cfg.with_lifecycle(**life) if life else cfg


def _flows(
    n: int,
    *,
    t: float,
    dst: str | list[str],
    src: str | list[str] | None = None,
    proto: int = 17,
    sport: int | np.ndarray = 40000,
    dport: int | np.ndarray = 80,
    flags: int = 0,
    size: int = 500,
    seed: int = 0,
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = empty_flows(n)
    out["start"] = t + np.sort(rng.random(n)) * 0.999
    out["end"] = out["start"]
    dsts = [dst] if isinstance(dst, str) else dst
    out["dst"] = np.array([addr_bytes(d) for d in dsts], dtype="S16")[np.arange(n) % len(dsts)]
    if src is None:
        raw = np.zeros((n, 16), dtype=np.uint8)
        raw[:, 10:12] = 0xFF
        raw[:, 12], raw[:, 13] = 198, 18
        raw[:, 14], raw[:, 15] = (np.arange(n) >> 8) & 255, np.arange(n) & 255
        out["src"] = raw.view("S16").ravel()
    else:
        srcs = [src] if isinstance(src, str) else src
        out["src"] = np.array([addr_bytes(x) for x in srcs], dtype="S16")[np.arange(n) % len(srcs)]
    out["proto"], out["sport"], out["dport"], out["tcp_flags"] = proto, sport, dport, flags
    out["packets"], out["bytes"], out["sampling"] = 1, size, 1
    return out


def _ends(det: DDoSDetector, batches: list[np.ndarray]) -> list[dict[str, Any]]:
    return [e.attack for e in det.run(batches) if e.kind == "end"]


def test_one_elephant_flow_is_not_an_attack() -> None:
    # one source, one TCP connection, 1.2 Gbit/s of full-size segments for 5 s
    batches = [
        _flows(
            100_000,
            t=T0 + s,
            dst="203.0.113.7",
            src="198.51.100.9",
            proto=6,
            sport=443,
            dport=51000,
            flags=0x18,
            size=1500,
        )
        for s in range(5)
    ]
    assert _ends(DDoSDetector(_config()), batches) == []
    # the same volume from a thousand sources is a flood
    flood = [
        _flows(
            100_000,
            t=T0 + s,
            dst="203.0.113.7",
            proto=6,
            sport=443,
            dport=np.arange(100_000) % 60000 + 1024,
            flags=0x10,
            size=1500,
        )
        for s in range(5)
    ]
    attacks = _ends(DDoSDetector(_config()), flood)
    assert [a["vectors"] for a in attacks] == [["ack_flood"]]


def test_carpet_bombing_of_a_protected_prefix() -> None:
    groups = {
        "hostgroups": [
            {"name": "gov", "prefixes": ["203.0.113.0/24"], "prefix": {"total": {"pps": 5000}}}
        ]
    }
    hosts = [f"203.0.113.{i}" for i in range(1, 201)]
    # 100 DNS responses per second to each of 200 hosts: no host crosses 500 pps
    batches = [
        _flows(20_000, t=T0 + s, dst=hosts, sport=53, dport=33000, size=1200, seed=s)
        for s in range(3)
    ]
    attacks = _ends(DDoSDetector(_config(groups)), batches)
    assert len(attacks) == 1
    a = attacks[0]
    assert a["victim"] == "203.0.113.0/24" and a["victim_kind"] == "prefix"
    assert a["vectors"][0] == "carpet_bombing"
    assert "dns_amplification" in a["vectors"]
    assert a["fired"][0]["kind"] == "prefix_threshold"
    # without the host group nothing fires: every host is under its limits
    assert _ends(DDoSDetector(_config()), batches) == []


def test_learned_baseline_fires_below_static_limits() -> None:
    groups = {
        "hostgroups": [
            {
                "name": "small",
                "prefixes": ["192.0.2.0/24"],
                "host": {"total": {"pps": 1e9}, "udp": {"pps": 1e9}, "amplification": {"pps": 1e9}},
                "baseline": {"warmup_windows": 10, "min_pps": 300, "k": 6},
            }
        ]
    }
    quiet = [
        _flows(100 + s % 7, t=T0 + s, dst="192.0.2.5", sport=50000 + s, seed=s) for s in range(20)
    ]
    burst = [
        _flows(900, t=T0 + 20 + s, dst="192.0.2.5", sport=123, size=440, seed=99 + s)
        for s in range(3)
    ]
    attacks = _ends(DDoSDetector(_config(groups)), quiet + burst)
    assert len(attacks) == 1
    a = attacks[0]
    assert a["victim"] == "192.0.2.5" and a["vectors"] == ["ntp_amplification"]
    assert a["fired"][0]["kind"] == "baseline" and a["fired"][0]["mean"] < 120
    assert a["start"] == T0 + 20


def test_host_group_limits_override_the_default() -> None:
    groups = {
        "hostgroups": [{"name": "lab", "prefixes": ["10.0.0.0/8"], "host": {"icmp": {"pps": 100}}}]
    }
    batch = _flows(300, t=T0, dst="10.1.2.3", proto=1, sport=0, dport=0x0800, size=84)
    assert _ends(DDoSDetector(_config()), [batch]) == []
    attacks = _ends(DDoSDetector(_config(groups)), [batch])
    assert attacks[0]["vectors"] == ["icmp_flood"] and attacks[0]["host_group"] == "lab"


def test_lifecycle_start_update_end() -> None:
    batches = [
        _flows(
            2000 * (s + 1),
            t=T0 + s,
            dst="203.0.113.9",
            proto=6,
            flags=0x02,
            sport=np.arange(2000 * (s + 1)) % 60000 + 1024,
            size=40,
            seed=s,
        )
        for s in range(3)
    ]
    det = DDoSDetector(_config())
    kinds = [e.kind for e in det.run(batches)]
    assert kinds[0] == "start" and kinds[-1] == "end" and "update" in kinds


def test_talker_receiving_replies_is_not_a_victim() -> None:
    """The attacker of a single-source SYN flood gets RST/ACKs back; it is no victim."""
    n = 20_000
    syn = _flows(
        n,
        t=T0,
        dst="192.168.50.4",
        src="172.16.0.5",
        proto=6,
        flags=0x02,
        sport=np.arange(n) % 60000 + 1024,
        dport=np.arange(n) % 50000 + 1,
        size=40,
    )
    rst = _flows(
        8000,
        t=T0,
        dst="172.16.0.5",
        src="192.168.50.4",
        proto=6,
        flags=0x14,
        dport=np.arange(8000) % 60000 + 1024,
        sport=np.arange(8000) % 50000 + 1,
        size=40,
    )
    attacks = _ends(DDoSDetector(_config()), [np.concatenate([syn, rst])])
    assert [(a["victim"], a["vectors"]) for a in attacks] == [("192.168.50.4", ["syn_flood"])]


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigError):
        _config({"hostgroups": [{"name": "x", "prefixes": ["not-a-prefix"]}]})
    with pytest.raises(ConfigError):
        _config({"hostgroups": [{"name": "x", "host": {"tcpp": {"pps": 1}}}]})
    with pytest.raises(ConfigError):
        DetectorConfig.build(
            read_yaml("ddos/thresholds.yaml"), read_yaml("ddos/vectors.yaml"), profile="nope"
        )


def test_every_amplification_port_is_named_after_its_service() -> None:
    vectors = read_yaml("ddos/vectors.yaml")
    cfg = _config()
    for entry in vectors["amplification"]:
        for port in entry["ports"]:
            batch = _flows(1500, t=T0, dst="203.0.113.50", sport=port, dport=40000, size=800)
            attacks = _ends(DDoSDetector(cfg), [batch])
            assert [a["vectors"] for a in attacks] == [[f"{entry['name']}_amplification"]], port


def test_detector_contract() -> None:
    det = DDoSDetector(_config())
    for item in DDoSDetector.conformance_inputs():
        v = det.analyze(item)
        assert isinstance(v, Verdict) and v.verdict == "benign"
    flood = _flows(5000, t=T0, dst="203.0.113.9", proto=1, sport=0, dport=0x0800, size=84)
    v = det.analyze(flood)
    assert v.verdict != "benign" and v.codes == ("ddos.icmp_flood",)
    assert det.attacks_ == {} and det.windows_ == 0  # analyze() left the detector alone


def test_late_records_are_counted_not_crashing() -> None:
    det = DDoSDetector(_config())
    det.process(_flows(10, t=T0 + 5, dst="203.0.113.1"))
    det.process(_flows(10, t=T0 + 7, dst="203.0.113.1"))
    det.process(_flows(10, t=T0, dst="203.0.113.1"))
    assert det.late_records_ == 10


def test_example_hostgroups_file_loads(tmp_path: Any) -> None:
    from pathlib import Path

    from qalxan.service.ddos import load_config

    example = Path(__file__).resolve().parents[2] / "qalxan/data/ddos/hostgroups.example.yaml"
    cfg = load_config(example)
    assert [g.name for g in cfg.groups] == ["egov", "dns-servers"]
    egov = cfg.groups[0]
    assert egov.limit("tcp_syn").pps == 5000 and egov.limit("icmp").pps == 1000  # inherited
    assert cfg.lifecycle.end_after_s == 30.0


def test_every_vector_is_explained_in_three_languages() -> None:
    from qalxan.data import load_reasons

    catalog = load_reasons()
    det = DDoSDetector(_config(), catalog)
    for vector in _config().classify.vector_names():
        code = "ddos.amplification" if vector.endswith("_amplification") else f"ddos.{vector}"
        assert code in catalog, vector
    flood = _flows(5000, t=T0, dst="203.0.113.9", sport=123, size=400)
    (attack,) = [e.attack for e in det.run([flood]) if e.kind == "end"]
    (reason,) = attack["reasons"]
    assert reason["code"] == "ddos.ntp_amplification"
    assert set(reason["messages"]) == {"az", "ru", "en"}
    assert "NTP" in reason["messages"]["az"] and "203.0.113.9" in reason["messages"]["ru"]
