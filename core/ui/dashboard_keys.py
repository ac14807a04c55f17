"""The session-state and widget keys of one publishing dashboard, declared so that a misspelt key fails mypy."""

from __future__ import annotations

from core.models.publishing import PublishModule


class Keys:
    """Every key of the dashboard of `module`: `Keys(MANPOWER).day` is "manpower_dash_day"."""

    # what the dashboard keeps between runs
    kept_day: str  # the date and view chosen, kept while other pages show (Streamlit drops their widget keys)
    kept_span: str
    statuses: str
    site_ids: str
    sites: str
    generation: str
    last_click: str
    selected: str
    pending: str
    preview_result: str
    named_preview: str  # the preview whose Procore ids were named (`day_panel`)
    confirm_force: str
    confirm_range: str
    jobs: str  # the jobs area: its flash place and the prefix of its widgets
    # widgets
    day: str
    span: str
    previous: str
    next: str
    refresh_now: str
    day_panel: str
    close: str
    day_action: str
    details: str
    details_publish: str
    details_force: str
    preview: str
    republish: str
    history: str
    publish_range: str
    publish_sites: str

    def __init__(self, module: PublishModule) -> None:
        self.module = PublishModule(module)
        for name in Keys.__annotations__:
            setattr(self, name, f"{self.module.value}_dash_{name}")
