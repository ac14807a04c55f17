"""Bringing Procore's lists here: two-way import, one-way list sync, and the links between records."""
