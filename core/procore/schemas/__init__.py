"""Pydantic models of Procore's responses, tolerant of the shapes Procore really sends (see `base`)."""
