"""Flow collectors: NetFlow v5/v9, IPFIX and sFlow v5 decoders and the UDP listener.

Everything decodes into :data:`qalxan.domain.flows.FLOW_DTYPE` batches. Decoders never raise
on bad input; they count it per exporter (:class:`CollectorStats`) and drop it.
"""

from __future__ import annotations

from qalxan.collect.netflow import NetflowDecoder, decode_v5, encode_v5
from qalxan.collect.stats import CollectorStats, ExporterStats

__all__ = ["CollectorStats", "ExporterStats", "NetflowDecoder", "decode_v5", "encode_v5"]
