"""Typed Procore resource methods, one module per area; `ProcoreClient` combines them."""
