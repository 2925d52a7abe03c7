"""NetFlow v9 / IPFIX templates compiled into NumPy dtypes, and records turned into flows.

A template is compiled once when it arrives: the fields Qalxan reads get a place in a
structured dtype (with the template's own offsets and record size), so a whole data set, or
all the data sets of a batch that use one template, decode with a single ``np.frombuffer``.
Templates with variable-length fields are compiled over their fixed fields; their records are
first repacked one by one (rare in practice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qalxan.collect._arrays import mapped_v4, uint_from_bytes, v6_column
from qalxan.collect.packet import HEADER_ETHERNET, HEADER_IPV4, HEADER_IPV6, parse_header
from qalxan.domain.flows import FLOW_DTYPE, PROTO_ICMP

__all__ = ["ROLE_BY_ID", "VARIABLE", "Field", "PacketMeta", "Template", "packet_rows", "to_flows"]

VARIABLE = 0xFFFF
NTP_EPOCH = 2208988800

# Information element id -> role. Earlier roles in a tuple win when a template has several.
ROLE_BY_ID: dict[int, str] = {
    8: "src4",
    12: "dst4",
    27: "src6",
    28: "dst6",
    7: "sport",
    11: "dport",
    4: "proto",
    6: "flags",
    1: "bytes",
    85: "bytes_total",
    23: "bytes_out",
    2: "packets",
    86: "packets_total",
    24: "packets_out",
    22: "first_up",
    21: "last_up",
    150: "start_s",
    151: "end_s",
    152: "start_ms",
    153: "end_ms",
    154: "start_us",
    155: "end_us",
    156: "start_ns",
    157: "end_ns",
    158: "start_delta_us",
    159: "end_delta_us",
    34: "rate",
    50: "rate_random",
    305: "rate_interval",
    306: "rate_space",
    309: "rate_size",
    310: "rate_population",
    48: "sampler",
    302: "selector",
    315: "frame",  # dataLinkFrameSection: a sampled frame (Ethernet)
    313: "ip_section",  # ipHeaderPacketSection: a sampled IP header
    312: "frame_size",
    32: "icmp",
    139: "icmp6",
    88: "frag_off",
    160: "sys_init",
}
_ADDRESS_LEN = {"src4": 4, "dst4": 4, "src6": 16, "dst6": 16}


@dataclass(frozen=True)
class Field:
    """One field specifier: IE id (enterprise bit cleared), length, enterprise (0 = IANA)."""

    id: int
    length: int
    enterprise: int = 0
    scope: bool = False  # a v9 options scope field (its id is a scope type, not an IE)

    @property
    def role(self) -> str | None:
        if self.enterprise or self.scope:
            return None
        role = ROLE_BY_ID.get(self.id)
        if role in _ADDRESS_LEN and self.length != _ADDRESS_LEN[role]:
            return None
        if role in ("frame", "ip_section"):
            return role
        if role is not None and role not in _ADDRESS_LEN and self.length > 8:
            return None
        return role


@dataclass(eq=False)
class Template:
    """A compiled template. Equality is identity: a replaced template is a new object."""

    fields: tuple[Field, ...]
    options: bool = False
    dtype: np.dtype = field(init=False)
    record_len: int = field(init=False)  # 0 when the template has variable-length fields
    roles: dict[str, str] = field(init=False)  # role -> dtype field name
    section: int = field(init=False)  # index of a sampled-packet section field, or -1

    def __post_init__(self) -> None:
        names: list[str] = []
        formats: list[object] = []
        offsets: list[int] = []
        self.roles = {}
        self.section = next(
            (i for i, f in enumerate(self.fields) if f.role in ("frame", "ip_section")), -1
        )
        offset = 0
        variable = False
        for i, f in enumerate(self.fields):
            role = f.role
            if f.length == VARIABLE:
                variable = True
                continue
            if role is not None and role not in self.roles and role not in ("frame", "ip_section"):
                name = f"f{i}"
                self.roles[role] = name
                names.append(name)
                formats.append(_format(role, f.length))
                offsets.append(offset)
            offset += f.length
        self.record_len = 0 if variable else offset
        size = max(offset, 1)
        self.dtype = np.dtype(
            {"names": names, "formats": formats, "offsets": offsets, "itemsize": size}
        )

    @property
    def fixed_len(self) -> int:
        """Size of a repacked record (the fixed-length fields only)."""
        return int(self.dtype.itemsize)

    def repack(self, body: bytes) -> tuple[bytes, int]:
        """Variable-length records -> the fixed fields of each, concatenated; and the count."""
        fixed = [i for i, f in enumerate(self.fields) if f.length != VARIABLE]
        records = split_records(self.fields, body)
        raw = b"".join(rec[i] for rec in records for i in fixed)
        return raw, len(raw) // self.fixed_len

    def values(self, body: bytes) -> list[dict[str, int]]:
        """Options records decoded one by one: role -> integer value (for sampling state)."""
        raw = body
        if self.record_len:
            count = len(body) // self.record_len
            raw = body[: count * self.record_len]
        else:
            raw, count = self.repack(body)
        recs = np.frombuffer(raw, dtype=self.dtype, count=count)
        out = []
        for rec in recs:
            row: dict[str, int] = {}
            for role, name in self.roles.items():
                value = rec[name]
                row[role] = int.from_bytes(bytes(value), "big") if value.ndim else int(value)
            out.append(row)
        return out


def split_records(fields: tuple[Field, ...], body: bytes) -> list[list[bytes]]:
    """Records as lists of field values (bytes), variable lengths resolved; a truncated last
    record (or padding) is dropped."""
    out: list[list[bytes]] = []
    pos, end = 0, len(body)
    while pos < end:
        begin, values = pos, []
        for f in fields:
            length = f.length
            if length == VARIABLE:
                if pos >= end:
                    break
                length = body[pos]
                pos += 1
                if length == 255:
                    length = int.from_bytes(body[pos : pos + 2], "big")
                    pos += 2
            values.append(body[pos : pos + length])
            pos += length
        if pos > end or pos == begin or len(values) < len(fields):
            break
        out.append(values)
    return out


def packet_rows(tmpl: Template, body: bytes, meta: PacketMeta) -> list[tuple[object, ...]]:
    """Records of a packet-sampling template (IPFIX ``dataLinkFrameSection`` 315 or
    ``ipHeaderPacketSection`` 313): each sampled packet becomes a one-packet flow."""
    rows: list[tuple[object, ...]] = []
    kind = tmpl.fields[tmpl.section].role
    for values in split_records(tmpl.fields, body):
        section = values[tmpl.section]
        if kind == "frame":
            packet = parse_header(HEADER_ETHERNET, section)
        else:
            version = section[0] >> 4 if section else 0
            packet = parse_header(HEADER_IPV4 if version == 4 else HEADER_IPV6, section)
        if packet is None:
            continue
        ints = {
            f.role: int.from_bytes(v, "big")
            for f, v in zip(tmpl.fields, values, strict=True)
            if f.role is not None and f.role not in ("frame", "ip_section")
        }
        rate = ints.get("rate") or meta.rates.get(ints.get("sampler", ints.get("selector")))
        rows.append(
            (
                meta.export,
                meta.export,
                packet.src,
                packet.dst,
                packet.sport,
                packet.dport,
                packet.proto,
                packet.tcp_flags,
                packet.frag,
                1,
                packet.length,
                rate or default_rate(meta.rates),
                meta.exporter,
            )
        )
    return rows


@dataclass
class PacketMeta:
    """Context of packet-sampling records: export time, exporter, known sampling rates."""

    export: float
    exporter: int
    rates: dict[int | None, int]


def _format(role: str, length: int) -> object:
    if role in _ADDRESS_LEN or length not in (1, 2, 4, 8):
        return ("u1", (length,))
    return f">u{length}"


def column(recs: np.ndarray, tmpl: Template, role: str) -> np.ndarray | None:
    """The values of ``role`` as uint64 (``None`` when the template lacks it)."""
    name = tmpl.roles.get(role)
    if name is None:
        return None
    col = recs[name]
    if col.ndim == 2:
        return uint_from_bytes(col)
    return col.astype(np.uint64)


def _first(recs: np.ndarray, tmpl: Template, *roles: str) -> np.ndarray | None:
    for role in roles:
        col = column(recs, tmpl, role)
        if col is not None:
            return col
    return None


@dataclass
class Meta:
    """Per-record context from the datagram headers and the exporter's state."""

    export: np.ndarray  # f8 export time of each record's datagram
    uptime: np.ndarray | None  # u4 header uptime (v9) or None (IPFIX)
    exporter: np.ndarray  # u4
    sys_init_ms: float | None  # IPFIX systemInitTimeMilliseconds, when known
    rates: dict[int | None, int]  # sampler/selector id (None: no id) -> 1-in-N


def _times(recs: np.ndarray, tmpl: Template, meta: Meta, edge: str) -> np.ndarray:
    col = _first(recs, tmpl, f"{edge}_ms")
    if col is not None:
        return col.astype(np.float64) / 1000.0
    col = _first(recs, tmpl, f"{edge}_s")
    if col is not None:
        return col.astype(np.float64)
    col = _first(recs, tmpl, f"{edge}_us", f"{edge}_ns")
    if col is not None:
        secs = (col >> np.uint64(32)).astype(np.float64) - NTP_EPOCH
        return secs + (col & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2.0**32
    col = _first(recs, tmpl, f"{edge}_delta_us")
    if col is not None:
        return meta.export - col.astype(np.float64) / 1e6
    col = _first(recs, tmpl, "first_up" if edge == "start" else "last_up")
    if col is not None and meta.uptime is not None:
        delta = (meta.uptime.astype(np.int64) - col.astype(np.int64)).astype(np.int32)
        return meta.export - delta.astype(np.float64) / 1000.0
    if col is not None and meta.sys_init_ms is not None:
        return (meta.sys_init_ms + col.astype(np.float64)) / 1000.0
    return meta.export


def _sampling(recs: np.ndarray, tmpl: Template, meta: Meta) -> np.ndarray | int:
    direct = _first(recs, tmpl, "rate", "rate_random")
    if direct is not None:
        return np.where(direct > 0, direct, 1)
    interval = column(recs, tmpl, "rate_interval")
    if interval is not None:
        space = column(recs, tmpl, "rate_space")
        total = interval + space if space is not None else interval
        return np.where(interval > 0, total // np.maximum(interval, 1), 1)
    ident = _first(recs, tmpl, "sampler", "selector")
    default = default_rate(meta.rates)
    if ident is None or not meta.rates:
        return default
    out = np.full(len(recs), default, dtype=np.uint64)
    for value in np.unique(ident):
        rate = meta.rates.get(int(value))
        if rate is not None:
            out[ident == value] = rate
    return out


def default_rate(rates: dict[int | None, int]) -> int:
    """The rate for records that name no sampler: the unnamed one, sampler 0, or the only one."""
    for key in (None, 0):
        if key in rates:
            return rates[key]
    if len(set(rates.values())) == 1:
        return next(iter(rates.values()))
    return 1


def _address(recs: np.ndarray, tmpl: Template, v4: str, v6: str) -> np.ndarray:
    name4, name6 = tmpl.roles.get(v4), tmpl.roles.get(v6)
    col4 = mapped_v4(recs[name4]) if name4 else None
    col6 = v6_column(recs[name6]) if name6 else None
    if col4 is not None and col6 is not None:
        empty4 = ~np.any(recs[name4], axis=1)
        return np.where(empty4, col6, col4)
    if col4 is not None:
        return col4
    if col6 is not None:
        return col6
    return np.zeros(len(recs), dtype="S16")


def to_flows(recs: np.ndarray, tmpl: Template, meta: Meta) -> np.ndarray:
    """Records of one template -> a :data:`FLOW_DTYPE` batch."""
    n = len(recs)
    out = np.zeros(n, dtype=FLOW_DTYPE)
    out["start"] = _times(recs, tmpl, meta, "start")
    out["end"] = _times(recs, tmpl, meta, "end")
    out["src"] = _address(recs, tmpl, "src4", "src6")
    out["dst"] = _address(recs, tmpl, "dst4", "dst6")
    for role in ("sport", "dport", "proto"):
        col = column(recs, tmpl, role)
        if col is not None:
            out[role] = col
    flags = column(recs, tmpl, "flags")
    if flags is not None:
        out["tcp_flags"] = flags & np.uint64(0xFF)
    icmp = _first(recs, tmpl, "icmp", "icmp6")
    if icmp is not None:  # ICMP type/code in the destination port, as v5 exporters do
        is_icmp = (out["proto"] == PROTO_ICMP) | (out["proto"] == 58)
        out["dport"] = np.where(
            is_icmp & (out["dport"] == 0), icmp & np.uint64(0xFFFF), out["dport"]
        )
    frag = column(recs, tmpl, "frag_off")
    if frag is not None:
        out["frag"] = (frag & np.uint64(0x1FFF)) > 0
    packets = _first(recs, tmpl, "packets", "packets_total", "packets_out")
    if packets is not None:
        out["packets"] = packets
    octets = _first(recs, tmpl, "bytes", "bytes_total", "bytes_out")
    if octets is not None:
        out["bytes"] = octets
    out["sampling"] = _sampling(recs, tmpl, meta)
    out["exporter"] = meta.exporter
    return out
