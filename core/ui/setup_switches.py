"""Procore setup's mode and module switches: applied at once, or asked first when they touch published work.

Turning Timecard or Timesheet on while the other holds Procore records opens a
dialog with the choice the switch needs (carry them over, or unpublish them
first: `core.setup.switch_module`). Changing the mode, or turning off a module
that has published entries, asks first too. Each dialog shows what is
published, per module. A switch asked about is undone on the widget until the
dialog's Yes applies it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import getting_started, setup
from core.errors import ProcoreConnectError
from core.models.setup import SyncMode
from core.setup import EXCLUSIVITY_NOTE, Module, SetupState, SwitchChoice, module_label, short_label
from core.ui.confirm import ask, asked, confirm_dialog
from core.ui.flash import flash
from core.ui.guard import PageContext
from core.ui.links import link_to
from core.ui.navigation import DATA_MAPPING

MODES = {SyncMode.TWO_WAY: "Two-way integration: import from Procore and publish to it",
         SyncMode.ONE_WAY: "One-way integration: only publish to Procore (map lists on Data mapping)"}
CHOICES = {
    SwitchChoice.CARRY_OVER: "Carry them over: the new module takes over these Procore entries (nothing is created)",
    SwitchChoice.UNPUBLISH: "Unpublish them first: delete them from Procore, then publish again with the new module",
}
MODE_KEY, ASK_MODE = "procore_mode", "procore_confirm_mode"
ASK_SWITCH, ASK_OFF, CHOICE_KEY = "procore_confirm_switch", "procore_confirm_module_off", "procore_switch_choice"
PLACE = "procore_setup"  # where flash messages show


def _box(module: Module) -> str:
    return f"procore_module_{module}"


def mode_radio(ctx: PageContext, state: SetupState) -> None:
    """The mode, saved when chosen; a change asks first while entries are published (Cancel puts it back)."""
    mode = st.radio("Mode", list(MODES), format_func=MODES.get, key=MODE_KEY,
                    index=list(MODES).index(state.mode) if state.mode else None)
    if mode is None or mode == state.mode:
        return
    if state.mode is None or not _published(ctx):
        _set_mode(ctx, mode)
        st.rerun()
    if asked(ASK_MODE) is None:
        ask(ASK_MODE, mode)
    confirm_dialog(ASK_MODE, title="Change how Procore is used?", yes="Yes, change the mode",
                   body=lambda: _published_body(ctx, f"Switch to {MODES[mode].split(':')[0].lower()}? Entries "
                                                "already published stay in Procore as they are; what happens next "
                                                "follows the new mode."),
                   on_yes=lambda: _set_mode(ctx, mode), on_cancel=lambda: st.session_state.pop(MODE_KEY, None))


def _set_mode(ctx: PageContext, mode: SyncMode) -> None:
    with ctx.session() as session:
        setup.set_mode(session, mode=mode, actor=ctx.identity)
    st.session_state.pop(MODE_KEY, None)  # shown from the saved setup on the next run


def _published(ctx: PageContext) -> dict[Module, int]:
    with ctx.session() as session:
        return setup.published_by_module(session)


def _published_body(ctx: PageContext, text: str) -> None:
    counts = _published(ctx)
    st.warning(text)
    st.markdown("Published in Procore now:")
    st.table(pd.DataFrame({"Module": [short_label(m) for m in counts],
                           "Published entries": [str(n) for n in counts.values()]}))


def module_checkboxes(ctx: PageContext, state: SetupState) -> None:
    """One checkbox per module; a switch over published entries asks first (see the module docstring)."""
    for module in Module:
        # The saved setup on every run, whatever value the browser sent back: it keeps a box's own value, so
        # a box the other module turned off would stay ticked on a run that did not set it (one cut short by
        # the next click included). A switch asked about is not saved yet: its box shows the saved value too.
        st.session_state[_box(module)] = module in state.modules
        st.checkbox(module_label(module), key=_box(module), on_change=_toggled, args=(ctx, module))
    switching, leaving = asked(ASK_SWITCH), asked(ASK_OFF)
    if switching is not None:
        confirm_dialog(ASK_SWITCH, title=f"Turn {short_label(switching)} on?", yes="Switch",
                       body=lambda: _switch_body(ctx, switching), on_yes=lambda: _switch(ctx, switching))
    if leaving is not None:
        confirm_dialog(ASK_OFF, title=f"Turn {short_label(leaving)} off?", yes=f"Turn {short_label(leaving)} off",
                       body=lambda: _published_body(ctx, f"{short_label(leaving)} entries already published stay in "
                                                    "Procore; they are not updated or deleted while it is off."),
                       on_yes=lambda: _set_module(ctx, leaving, enabled=False))


def _toggled(ctx: PageContext, module: Module) -> None:
    enabled = bool(st.session_state[_box(module)])
    with ctx.session() as session:
        needs = setup.switch_needs(session, module=module) if enabled else None
        held = setup.published_by_module(session).get(module, 0)
    if needs is not None:
        ask(ASK_SWITCH, module)  # the box shows the saved setup again (`module_checkboxes`) until Yes applies it
    elif not enabled and held:
        ask(ASK_OFF, module)
    else:
        _set_module(ctx, module, enabled=enabled)


def _set_module(ctx: PageContext, module: Module, *, enabled: bool) -> None:
    with ctx.session() as session:
        off = setup.set_module(session, module=module, enabled=enabled, actor=ctx.identity)
    if off is not None:
        st.toast(f"{short_label(off)} was turned off: {EXCLUSIVITY_NOTE}")


def _switch_body(ctx: PageContext, module: Module) -> None:
    with ctx.session() as session:
        needs = setup.switch_needs(session, module=module)
    if needs is None:
        st.info(f"Nothing is published by the module {short_label(module)} replaces any more.")
        return
    _published_body(ctx, setup.needs_text(module, *needs))
    st.radio("What to do with them", list(CHOICES), format_func=CHOICES.get, key=CHOICE_KEY)


def _switch(ctx: PageContext, module: Module) -> None:
    choice = SwitchChoice(st.session_state.get(CHOICE_KEY) or SwitchChoice.CARRY_OVER)
    with ctx.session() as session:
        needs = setup.switch_needs(session, module=module)
    try:
        setup.switch_module(ctx.settings, ctx.engine, module=module, choice=choice, actor=ctx.identity)
    except ProcoreConnectError as error:
        flash(PLACE, str(error), kind="error")
        return
    if needs is not None:
        done = "carried over to" if choice is SwitchChoice.CARRY_OVER else "unpublished before turning on"
        flash(PLACE, f"{needs[1]} {short_label(needs[0])} entries {done} {short_label(module)}; "
                     f"{short_label(needs[0])} is off.")


def finished_note(ctx: PageContext, state: SetupState) -> None:
    """Once a company, a mode and a module are chosen: setup is finished, or (one-way) what is still to map."""
    if not state.finished:
        return
    if state.two_way:
        st.success("Setup is finished: the Procore section is in the navigation.")
        return
    with ctx.session() as session:
        mapping = next(step for step in getting_started.steps(session) if step.script == DATA_MAPPING.script)
    if mapping.done:
        st.success("Setup is finished: everything the modules need is mapped to Procore.")
        return
    st.warning(f"One step is left before publishing: map your records to Procore. {mapping.detail}")
    link_to(DATA_MAPPING, label="Map them on Data mapping")
