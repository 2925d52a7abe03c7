"""Scam messages (SMS, messenger and social posts, call transcripts) in az, ru and en.

Extract indicators with spans, fold the text, run data-driven rules and a small text model,
and explain the verdict with reasons; ``extra["scheme"]`` names the main scam scheme.
"""

from qalxan.detect.message.detector import CHANNELS, SCHEMES, MessageDetector, MessageInput
from qalxan.detect.message.extract import Extracted, Feature, extract
from qalxan.detect.message.model import TextModel
from qalxan.detect.message.normalize import Folded, Normalizer
from qalxan.detect.message.rules import Rule, RuleSet

__all__ = [
    "CHANNELS",
    "SCHEMES",
    "Extracted",
    "Feature",
    "Folded",
    "MessageDetector",
    "MessageInput",
    "Normalizer",
    "Rule",
    "RuleSet",
    "TextModel",
    "extract",
]
