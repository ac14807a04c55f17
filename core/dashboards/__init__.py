"""The Manpower, Timecard and Production quantity dashboards, without Streamlit.

`views` says what each module's dashboard shows, `queries` reads figures and
a day's entries, `calendar` turns status counts and figures into calendar
cells and events, `fixes` groups the reasons entries are Non publishable with
the page fixing each, and `preview` turns a publish plan into tables. The
Streamlit side is `core.ui.dashboard`.
"""
