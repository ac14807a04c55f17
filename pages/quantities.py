"""Production quantities: filter, read, edit, delete, download and upload."""

from __future__ import annotations

import streamlit as st

from core.access import Perm
from core.csv_safety import csv_download
from core.timeclock import csv_import, quantities, queries
from core.ui import page_guard
from core.ui.csv_upload import csv_upload
from core.ui.flash import show_flash
from core.ui.outcome import show_kept_outcome
from core.ui.record_editor import chosen_record, delete_button, save_changes
from core.ui.time_clock_filter import site_and_date_filter
from core.ui.widgets import select_id, show_table

ctx = page_guard()
PLACE = "quantities"
st.title("Production quantities")
show_flash(PLACE)
show_kept_outcome(PLACE)
st.caption("Quantities put in place per job site, cost code and day. Procore's quantity logs take whole numbers.")

with ctx.session() as session:
    options = queries.choices(session)

shown = site_and_date_filter(options.job_sites, prefix="pq")
start, end = shown.start, shown.end

with ctx.session() as session:
    frame = quantities.quantity_frame(session, start=start, end=end, job_site_ids=shown.job_site_ids)

st.write(f"**{len(frame):,}** production quantities, **{frame['units'].sum():,.3f}** units")
show_table(frame)  # our ids stay in the CSV below
st.download_button("Download CSV", csv_download(quantities.downloadable(frame)),
                   f"production_quantities_{start}_{end}.csv", "text/csv")

if ctx.can(Perm.EDIT_TIME_LOGS) and not frame.empty:
    st.subheader("Edit a production quantity")
    labels = {int(r["id"]): f"#{r['id']} · {r['date']} · {r['job_site_number']} · {r['cost_code']} · "
                            f"{r['units']:g} {r['unit_of_measure']}" for r in frame.to_dict("records")}
    quantity_id = chosen_record(labels, label="Production quantity", key="pq_edit_id", linked_by="quantity")
    with ctx.session() as session:
        form = quantities.load_quantity_form(session, quantity_id=quantity_id)
    with st.form(f"pq_edit_{quantity_id}"):
        a, b, c = st.columns(3)
        form.job_site_id = select_id(a, "Job site", options.job_sites, form.job_site_id)
        form.cost_code_id = select_id(b, "Cost code", options.cost_codes, form.cost_code_id)
        form.date = c.date_input("Date", form.date)
        form.units = a.text_input("Units", form.units)
        form.unit_of_measure = b.text_input("Unit of measure", form.unit_of_measure)
        saved = st.form_submit_button("Save changes", type="primary")
    if saved:
        save_changes(ctx, place=PLACE, saved=f"Production quantity #{quantity_id} saved.",
                     save=lambda session: quantities.save_quantity_form(session, form=form, actor=ctx.identity))
    delete_button(ctx, place=PLACE, noun="production quantity", record_id=quantity_id, key="pq",
                  delete=lambda session: quantities.delete_quantity(session, quantity_id=quantity_id,
                                                                    actor=ctx.identity))

if ctx.can(Perm.EDIT_TIME_LOGS):
    st.subheader("Upload a CSV file")
    csv_upload(ctx, key="pq_upload", columns=csv_import.QUANTITY_COLUMNS + csv_import.QUANTITY_OPTIONAL,
               importer=csv_import.import_production_quantities, place=PLACE)
