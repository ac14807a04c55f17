"""Procore Connect: links a construction time clock to a Procore company.

`core` holds every piece of logic (models, aggregation, publishing, the Procore
client, sync); the Streamlit pages and the CLI (`python -m core`) only call it.
"""
