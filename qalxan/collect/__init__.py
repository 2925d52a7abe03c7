"""Flow collectors: NetFlow v5/v9, IPFIX and sFlow v5 decoders and the UDP listener.

Everything decodes into :data:`qalxan.domain.flows.FLOW_DTYPE` batches. Decoders never raise
on bad input; they count it per exporter (:class:`CollectorStats`) and drop it.
"""

from __future__ import annotations

from qalxan.collect.encode import encode_ipfix, encode_v9
from qalxan.collect.listener import FlowListener
from qalxan.collect.netflow import NetflowDecoder, decode_v5, encode_v5
from qalxan.collect.replay import replay
from qalxan.collect.sflow import SflowDecoder
from qalxan.collect.stats import CollectorStats, ExporterStats

__all__ = [
    "CollectorStats",
    "ExporterStats",
    "FlowListener",
    "NetflowDecoder",
    "SflowDecoder",
    "decode_v5",
    "encode_ipfix",
    "encode_v5",
    "encode_v9",
    "replay",
]
