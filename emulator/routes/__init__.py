"""Procore REST resources served by the emulator, one module per tool."""
