"""Policy: what detections become (alerts, mitigations)."""
