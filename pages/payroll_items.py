"""Administration > Payroll > Payroll items: Procore's time types, and which one each pay ID is published as."""

from __future__ import annotations

import streamlit as st

from core import setup
from core.access import Perm
from core.errors import ProcoreConnectError
from core.sync import payroll_items
from core.ui import page_guard
from core.ui.widgets import table_with_download

ctx = page_guard()
st.title("Payroll items")
st.caption("Payroll items are Procore's timecard time types, imported on Procore setup. "
           "Timecards and timesheets carry the payroll item each pay ID is published as.")

with ctx.session() as session:
    state = setup.state(session)
    items = payroll_items.payroll_items_frame(session)
    assignments = (payroll_items.pay_id_assignments(session, company_id=state.company_id)
                   if state.company_id else None)

table_with_download(items, name="payroll-items",
                    empty_message="No payroll items yet: run the import on Procore setup (two-way mode).")
if assignments is None or state.company_id is None or items.empty:
    st.stop()

st.subheader("Pay IDs")
active = items[items["active"]]
labels = {int(r["procore_id"]): f"{r['code']} · {r['name']}" for r in active.to_dict("records")}
editable = ctx.can(Perm.PROCORE_SETUP)
for row in assignments.to_dict("records"):
    options: list[int | None] = [None, *labels]
    current = row["payroll_item"] if row["payroll_item"] in labels else None
    choice = st.selectbox(f"{row['pay_id']} · {row['name']}", options, index=options.index(current),
                          format_func=lambda i: "Not published (choose a payroll item)" if i is None else labels[i],
                          key=f"payroll_item_{row['pay_id_id']}", disabled=not editable)
    if choice != current:
        try:
            with ctx.session() as session:
                payroll_items.assign_payroll_item(session, company_id=state.company_id, pay_id_id=row["pay_id_id"],
                                                  procore_id=choice, actor=ctx.identity)
            st.toast(f"{row['pay_id']} is now published as {labels[choice] if choice else 'nothing'}.")
        except ProcoreConnectError as error:
            st.error(str(error))
if not editable:
    st.caption("Changing these needs the 'Procore setup' permission.")
