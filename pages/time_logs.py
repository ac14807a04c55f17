"""Time logs: filter, read, edit, delete, download and upload."""

from __future__ import annotations

import streamlit as st

from core.access import Perm
from core.csv_safety import csv_download
from core.timeclock import csv_import, edits, forms, queries
from core.ui import page_guard
from core.ui.csv_upload import csv_upload
from core.ui.flash import show_flash
from core.ui.outcome import show_kept_outcome
from core.ui.record_editor import chosen_record, delete_button, save_changes
from core.ui.time_clock_filter import site_and_date_filter
from core.ui.widgets import select_id, show_table

ctx = page_guard()
st.title("Time logs")
show_flash("time_logs")
show_kept_outcome("time_logs")
st.caption(
    "A time log counts for the date it was clocked in, in its job site's time zone. Times are shown at the job site."
)

with ctx.session() as session:
    options = queries.choices(session)

shown = site_and_date_filter(options.job_sites, prefix="tl")
start, end = shown.start, shown.end

with ctx.session() as session:
    frame = queries.time_log_frame(session, start=start, end=end, job_site_ids=shown.job_site_ids)

st.write(f"**{len(frame):,}** time logs, **{frame['hours'].sum():,.2f}** hours worked")
show_table(frame)  # our ids stay in the CSV below
st.download_button("Download CSV", csv_download(frame), f"time_logs_{start}_{end}.csv", "text/csv")

if ctx.can(Perm.EDIT_TIME_LOGS) and not frame.empty:
    st.subheader("Edit a time log")
    labels = {
        int(r["id"]): f"#{r['id']} · {r['date']} · {r['employee']} · {r['job_site_number']} · {r['pay_id']} · "
                      f"{r['clock_in']}"
        for r in frame.to_dict("records")
    }
    log_id = chosen_record(labels, label="Time log", key="tl_edit_id")
    with ctx.session() as session:
        form = forms.load_form(session, log_id=log_id)
    with st.form(f"tl_edit_{log_id}"):
        a, b, c = st.columns(3)
        form.employee_id = select_id(a, "Employee", options.employees, form.employee_id)
        form.job_site_id = select_id(b, "Job site", options.job_sites, form.job_site_id)
        form.cost_code_id = select_id(c, "Cost code", options.cost_codes, form.cost_code_id, optional=True)
        form.pay_id_id = select_id(a, "Pay ID", options.pay_ids, form.pay_id_id)
        form.pay_class_id = select_id(b, "Pay class", options.pay_classes, form.pay_class_id, optional=True)
        form.crew_id = select_id(c, "Crew", options.crews, form.crew_id, optional=True)
        form.company_id = select_id(a, "Company", options.companies, form.company_id)
        form.clock_in_date = b.date_input("Clock-in date", form.clock_in_date)
        form.clock_in_time = c.time_input("Clock-in time", form.clock_in_time, step=60)
        form.clock_out_date = a.date_input("Clock-out date", form.clock_out_date)
        form.clock_out_time = b.time_input("Clock-out time", form.clock_out_time, step=60)
        form.break_minutes = int(
            c.number_input("Break (minutes)", min_value=0, max_value=600, value=form.break_minutes)
        )
        saved = st.form_submit_button("Save changes", type="primary")
    if saved:
        save_changes(ctx, place="time_logs", saved=f"Time log #{log_id} saved.",
                     save=lambda session: forms.save_form(session, form=form, actor=ctx.identity))
    delete_button(ctx, place="time_logs", noun="time log", record_id=log_id, key="tl",
                  delete=lambda session: edits.delete_time_log(session, log_id=log_id, actor=ctx.identity))

if ctx.can(Perm.EDIT_TIME_LOGS):
    st.subheader("Upload a CSV file")
    st.caption("Times without a UTC offset are read at the job site. Production quantities are uploaded on "
               "Production quantities.")
    csv_upload(ctx, key="tl_upload_logs", columns=csv_import.TIME_LOG_COLUMNS + csv_import.TIME_LOG_OPTIONAL,
               importer=csv_import.import_time_logs, place="time_logs")
