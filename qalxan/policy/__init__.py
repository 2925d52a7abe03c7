"""Policy: what verdicts and reports become (campaign keys, near-duplicate fingerprints).

Detectors say what they saw; this layer decides what joins reports into campaigns.
"""
