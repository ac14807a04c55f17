"""Streamlit glue: the only part of `core` that imports streamlit.

Pages call `page_guard()` first, then one `core` service per action, and render
results with the helpers here.
"""

from core.ui.guard import PageContext, page_guard

__all__ = ["PageContext", "page_guard"]
