"""DDoS detection over flow batches (:data:`qalxan.domain.flows.FLOW_DTYPE`).

``DetectorConfig.build(thresholds, vectors, hostgroups)`` from the packaged YAML and the
operator's host groups; ``DDoSDetector(config).process(batch)`` -> lifecycle events.
"""

from qalxan.detect.ddos.attack import Attack, AttackEvent, VectorState
from qalxan.detect.ddos.classify import Classification, Component, classify
from qalxan.detect.ddos.config import (
    CLASSES,
    Baseline,
    ClassifyConfig,
    DetectorConfig,
    HostGroup,
    Lifecycle,
    Limit,
    Prefix,
)
from qalxan.detect.ddos.detector import DDoSDetector

__all__ = [
    "CLASSES",
    "Attack",
    "AttackEvent",
    "Baseline",
    "Classification",
    "ClassifyConfig",
    "Component",
    "DDoSDetector",
    "DetectorConfig",
    "HostGroup",
    "Lifecycle",
    "Limit",
    "Prefix",
    "VectorState",
    "classify",
]
