"""NetFlow v9 and IPFIX datagrams: sets, templates per exporter and domain, sampling state.

State is kept per (exporter address, version, observation domain / source id):

- templates (id -> :class:`Template`), replaced when a template with the same id but other
  fields arrives, kept (same object) when it is only refreshed, removed on IPFIX withdrawal;
- sampling rates read from options data (sampler / selector id -> 1-in-N), and the IPFIX
  ``systemInitTimeMilliseconds`` for uptime-relative times;
- the next expected sequence number. v9 counts export packets, IPFIX the data records sent
  before the message. softflowd numbers differently (its IPFIX counts the records of the
  message itself too, and some v9 exporters count flows), so those steps are accepted too and
  are not reported as gaps or losses.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

from qalxan.collect._arrays import exporter_int
from qalxan.collect.stats import CollectorStats, ExporterStats
from qalxan.collect.template import Field, Meta, PacketMeta, Template, packet_rows, to_flows
from qalxan.domain.flows import FLOW_DTYPE, empty_flows

__all__ = ["TemplateDecoder"]

V9_HEADER = struct.Struct("!HHIIII")  # version, count, uptime ms, unix secs, sequence, source id
IPFIX_HEADER = struct.Struct("!HHIII")  # version, length, export secs, sequence, domain
SET_HEADER = struct.Struct("!HH")
FIELD = struct.Struct("!HH")
ENTERPRISE = struct.Struct("!I")
OPTIONS_V9 = struct.Struct("!HHH")
OPTIONS_IPFIX = struct.Struct("!HHH")

Key = tuple[str, int, int]  # exporter, version, domain
Chunk = tuple[bytes, int, float, int, int]  # records, count, export time, uptime, exporter


class Malformed(Exception):
    """Internal: the rest of a datagram cannot be read."""


class TemplateDecoder:
    """Decoder state and logic for NetFlow v9 (version 9) and IPFIX (version 10)."""

    def __init__(self, stats: CollectorStats) -> None:
        self.stats = stats
        self.templates: dict[Key, dict[int, Template]] = {}
        self.rates: dict[Key, dict[int | None, int]] = {}
        self.sys_init: dict[Key, float] = {}
        self._seq: dict[Key, tuple[int, int, int]] = {}  # key -> (sequence, records, options)
        self._packets: list[tuple[object, ...]] = []  # flows from packet-sampling records
        self._option_records = 0  # options data records in the datagram being read

    def decode(self, datagrams: Sequence[tuple[bytes, str]], received: float) -> np.ndarray:
        """Decode v9/IPFIX datagrams (their counters are already incremented)."""
        groups: dict[Template, tuple[Key, list[Chunk]]] = {}
        self._packets = []
        for data, exporter in datagrams:
            st = self.stats.get(exporter)
            try:
                self._datagram(data, exporter, st, groups)
            except (Malformed, struct.error, ValueError, IndexError):
                st.malformed += 1
        parts = [self._convert(tmpl, key, chunks) for tmpl, (key, chunks) in groups.items()]
        if self._packets:
            parts.append(np.array(self._packets, dtype=FLOW_DTYPE))
        if not parts:
            return empty_flows()
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _datagram(
        self,
        data: bytes,
        exporter: str,
        st: ExporterStats,
        groups: dict[Template, tuple[Key, list[Chunk]]],
    ) -> None:
        version = (data[0] << 8) | data[1]
        if version == 9:
            _v, _count, uptime, export, seq, domain = V9_HEADER.unpack_from(data)
            pos, end = V9_HEADER.size, len(data)
        else:
            _v, length, export, seq, domain = IPFIX_HEADER.unpack_from(data)
            uptime = 0
            if length < IPFIX_HEADER.size or length > len(data):
                raise Malformed
            pos, end = IPFIX_HEADER.size, length
        key = (exporter, version, domain)
        tables = self.templates.setdefault(key, {})
        exp_int = exporter_int(exporter)
        records = self._option_records = 0
        while pos + 4 <= end:
            set_id, set_len = SET_HEADER.unpack_from(data, pos)
            if set_len < 4 or pos + set_len > end:
                raise Malformed
            body = data[pos + 4 : pos + set_len]
            pos += set_len
            if set_id >= 256:
                records += self._data_set(body, set_id, key, st, groups, (export, uptime, exp_int))
            elif set_id in (0, 2):
                self._template_set(body, version, tables, st, options=False)
            elif set_id in (1, 3):
                self._template_set(body, version, tables, st, options=True)
        self._sequence(key, seq, records, self._option_records, st)

    def _data_set(
        self,
        body: bytes,
        set_id: int,
        key: Key,
        st: ExporterStats,
        groups: dict[Template, tuple[Key, list[Chunk]]],
        head: tuple[int, int, int],
    ) -> int:
        tmpl = self.templates[key].get(set_id)
        if tmpl is None:
            st.unknown_template += 1
            return 0
        if tmpl.options:
            self._option_records += self._options_data(tmpl, body, key)
            return 0
        if tmpl.section >= 0:  # packet sampling: one sampled frame or IP header per record
            meta = PacketMeta(float(head[0]), head[2], self.rates.get(key, {}))
            rows = packet_rows(tmpl, body, meta)
            self._packets.extend(rows)
            st.records += len(rows)
            return len(rows)
        if tmpl.record_len:
            count = len(body) // tmpl.record_len
            raw = body[: count * tmpl.record_len]
        else:
            raw, count = tmpl.repack(body)
        if count:
            export, uptime, exp_int = head
            groups.setdefault(tmpl, (key, []))[1].append((raw, count, export, uptime, exp_int))
            st.records += count
        return count

    def _template_set(
        self,
        body: bytes,
        version: int,
        tables: dict[int, Template],
        st: ExporterStats,
        *,
        options: bool,
    ) -> None:
        pos, end = 0, len(body)
        while end - pos >= 4:
            tid = FIELD.unpack_from(body, pos)[0]
            if tid < 256:  # padding at the end of the set
                break
            if options and version == 9:
                tid, scope_len, option_len = OPTIONS_V9.unpack_from(body, pos)
                pos += 6
                specs = _v9_fields(body, pos, scope_len // 4, scope=True)
                pos += scope_len
                specs += _v9_fields(body, pos, option_len // 4, scope=False)
                pos += option_len
            elif options:
                tid, count, _scope_count = OPTIONS_IPFIX.unpack_from(body, pos)
                specs, pos = _ipfix_fields(body, pos + 6, count)
            else:
                tid, count = FIELD.unpack_from(body, pos)
                if count == 0:  # IPFIX withdrawal
                    tables.pop(tid, None)
                    pos += 4
                    continue
                if version == 9:
                    specs = _v9_fields(body, pos + 4, count, scope=False)
                    pos += 4 + 4 * count
                else:
                    specs, pos = _ipfix_fields(body, pos + 4, count)
            if pos > end or tid < 256:
                raise Malformed
            self._learn(tables, tid, tuple(specs), options)
            st.templates += 1

    @staticmethod
    def _learn(
        tables: dict[int, Template], tid: int, specs: tuple[Field, ...], options: bool
    ) -> None:
        if not any(f.length for f in specs):
            raise Malformed
        old = tables.get(tid)
        if old is not None and old.fields == specs and old.options == options:
            return  # a refresh: keep the compiled template
        tables[tid] = Template(specs, options=options)

    def _options_data(self, tmpl: Template, body: bytes, key: Key) -> int:
        rows = tmpl.values(body)
        for row in rows:
            rate = _rate(row)
            if rate is not None:
                ident = row.get("sampler", row.get("selector"))
                self.rates.setdefault(key, {})[ident] = rate
            if "sys_init" in row:
                self.sys_init[key] = float(row["sys_init"])
        return len(rows)

    def _sequence(self, key: Key, seq: int, records: int, options: int, st: ExporterStats) -> None:
        last = self._seq.get(key)
        self._seq[key] = (seq, records, options)
        if last is None:
            return
        prev, prev_records, prev_options = last
        # v9 counts packets (RFC 3954) or flows; IPFIX counts data records, options ones too
        # (RFC 7011) or not; softflowd's IPFIX counts this message's own records as well.
        steps = [prev_records, prev_records + prev_options]
        steps.append(1 if key[1] == 9 else records)
        if any(seq == (prev + step) & 0xFFFFFFFF for step in steps):
            return
        st.sequence_gaps += 1
        if key[1] == 10:
            missing = (seq - prev - prev_records - prev_options) & 0xFFFFFFFF
            if missing < 0x80000000:
                st.lost_records += missing

    def _convert(self, tmpl: Template, key: Key, chunks: list[Chunk]) -> np.ndarray:
        raw = b"".join(c[0] for c in chunks)
        recs = np.frombuffer(raw, dtype=tmpl.dtype)
        counts = np.array([c[1] for c in chunks], dtype=np.int64)
        head = np.array([c[2:] for c in chunks], dtype=np.float64)
        meta = Meta(
            export=np.repeat(head[:, 0], counts),
            uptime=np.repeat(head[:, 1], counts).astype(np.uint32) if key[1] == 9 else None,
            exporter=np.repeat(head[:, 2], counts).astype(np.uint32),
            sys_init_ms=self.sys_init.get(key),
            rates=self.rates.get(key, {}),
        )
        return to_flows(recs, tmpl, meta)


def _rate(row: dict[str, int]) -> int | None:
    for role in ("rate", "rate_random"):
        if row.get(role):
            return row[role]
    interval = row.get("rate_interval")
    if interval:
        return (interval + row.get("rate_space", 0)) // interval
    size, population = row.get("rate_size"), row.get("rate_population")
    if size and population:
        return max(population // size, 1)
    return None


def _v9_fields(body: bytes, pos: int, count: int, *, scope: bool) -> list[Field]:
    if pos + 4 * count > len(body):
        raise Malformed
    specs = []
    for i in range(count):
        ident, length = FIELD.unpack_from(body, pos + 4 * i)
        specs.append(Field(ident, length, 0, scope))
    return specs


def _ipfix_fields(body: bytes, pos: int, count: int) -> tuple[list[Field], int]:
    specs: list[Field] = []
    for _ in range(count):
        ident, length = FIELD.unpack_from(body, pos)
        pos += 4
        enterprise = 0
        if ident & 0x8000:
            enterprise = ENTERPRISE.unpack_from(body, pos)[0]
            pos += 4
        specs.append(Field(ident & 0x7FFF, length, enterprise))
    return specs, pos
