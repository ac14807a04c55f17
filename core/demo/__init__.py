"""Deterministic demo data: a believable construction company's time clock."""
