"""The four publish modules, defined once; every other place asks `definition(module)` or `all_definitions()`.

Adding a module means one definition here and its target in `core.modules.targets`.
"""

from __future__ import annotations

from core.access import Perm
from core.aggregation import (
    MANPOWER_KEY,
    MANPOWER_VALUES,
    QUANTITY_KEY,
    QUANTITY_VALUES,
    TIMECARD_KEY,
    TIMECARD_VALUES,
    aggregate_manpower,
    aggregate_quantities,
    aggregate_timecards,
    load_production_quantities,
    load_time_logs,
)
from core.models.mapping import Entity
from core.models.publishing import PublishModule
from core.modules.amounts import manpower_amounts, quantity_amounts, timecard_amounts
from core.modules.definition import CountedFigures, ModuleDefinition, ModuleSpec, ModuleView, PageSpec, UnitFigures
from core.modules.fields import MANPOWER_FIELDS, QUANTITY_FIELDS, TIMECARD_FIELDS
from core.modules.rules import no_rules, quantity_rules, timecard_rules
from core.modules.targets.manpower import ManpowerTarget
from core.modules.targets.quantity import QuantityTarget
from core.modules.targets.timecard import TimecardTarget
from core.modules.targets.timesheet import TimesheetTarget


def _manpower(module: PublishModule) -> ModuleDefinition:
    view = ModuleView(
        module=module,
        title="Manpower",
        intro="Crews and the hours they worked, per job site and day, published as Procore daily log manpower.",
        entry_noun="crew",
        columns={"company": "Company", "crew": "Crew tag", "total_hours": "Total hours", "manpower": "Manpower",
                 "average_hours": "Average hours"},
        label_columns=("company", "crew"),
        chart_value="total_hours",
        chart_label="Total hours",
    )
    return ModuleDefinition(
        module=module,
        label="Manpower (daily log manpower)",
        spec=ModuleSpec(load_time_logs, aggregate_manpower, MANPOWER_KEY, MANPOWER_VALUES, no_rules),
        target=ManpowerTarget(module),
        # Procore's manpower log takes the project and the vendor (`contact_id`); no cost code is sent.
        entities=frozenset({Entity.JOB_SITE, Entity.COMPANY}),
        display_columns=("company", "crew", "total_hours", "manpower", "average_hours"),
        detail_order=("company", "crew"),
        figures=CountedFigures(count="manpower", hours="total_hours", one="manpower", many="manpower",
                               summed="manpower"),
        amounts=manpower_amounts,
        fields=MANPOWER_FIELDS,
        view=view,
        page=PageSpec("pages/manpower.py", view.title, ":material/groups:"),
    )


_TIMECARD_SPEC = ModuleSpec(load_time_logs, aggregate_timecards, TIMECARD_KEY, TIMECARD_VALUES, timecard_rules)
_TIMECARD_ENTITIES = frozenset({Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_ID, Entity.COST_CODE, Entity.PAY_CLASS})
_TIMECARD_COLUMNS = ("employee", "employee_number", "pay_class", "cost_code", "pay_id", "hours")
_TIMECARD_ORDER = ("employee", "cost_code", "pay_id")
_TIMECARD_FIGURES = CountedFigures(count="timecards", hours="hours", one="timecard", many="timecards")


def _timecard(module: PublishModule) -> ModuleDefinition:
    view = ModuleView(
        module=module,
        title="Timecard",
        intro="Each employee's time per pay ID and cost code, per job site and day, published as Procore "
              "timecard entries.",
        entry_noun="timecard",
        columns={"employee": "Employee", "pay_class": "Pay class", "cost_code": "Cost code", "pay_id": "Pay ID",
                 "payroll_item": "Payroll item", "hours": "Duration (hours)"},
        label_columns=("employee", "cost_code", "pay_id"),
        chart_value="hours",
        chart_label="Hours",
    )
    return ModuleDefinition(
        module=module, label="Timecard (daily log timecards)", spec=_TIMECARD_SPEC, target=TimecardTarget(module),
        entities=_TIMECARD_ENTITIES, display_columns=_TIMECARD_COLUMNS, detail_order=_TIMECARD_ORDER,
        figures=_TIMECARD_FIGURES, amounts=timecard_amounts, fields=TIMECARD_FIELDS, view=view,
        page=PageSpec("pages/timecards.py", view.title, ":material/assignment_ind:"),
        excludes=PublishModule.TIMESHEET,
    )


def _timesheet(module: PublishModule) -> ModuleDefinition:
    """Timesheets carry the timecards' aggregates; they go to the project's timesheets, through the payroll board."""
    return ModuleDefinition(
        module=module, label="Timesheet (Procore timesheets, through the payroll board)", spec=_TIMECARD_SPEC,
        target=TimesheetTarget(module), entities=_TIMECARD_ENTITIES, display_columns=_TIMECARD_COLUMNS,
        detail_order=_TIMECARD_ORDER, figures=_TIMECARD_FIGURES, amounts=timecard_amounts, fields=TIMECARD_FIELDS,
        permissions=(Perm.PAYROLL,),
        excludes=PublishModule.TIMECARD,
    )


def _quantity(module: PublishModule) -> ModuleDefinition:
    view = ModuleView(
        module=module,
        title="Production quantity",
        intro="Quantities put in place per cost code, per job site and day, published as Procore daily log "
              "quantities.",
        entry_noun="quantity",
        columns={"cost_code": "Cost code", "unit_of_measure": "UM", "units": "Units"},
        label_columns=("cost_code", "unit_of_measure"),
        chart_value="units",
        chart_label="Units",
        chart_colour="cost_code",
    )
    return ModuleDefinition(
        module=module,
        label="Production quantity (daily log quantities)",
        spec=ModuleSpec(load_production_quantities, aggregate_quantities, QUANTITY_KEY, QUANTITY_VALUES,
                        quantity_rules),
        target=QuantityTarget(module),
        entities=frozenset({Entity.JOB_SITE, Entity.COST_CODE}),
        display_columns=("cost_code", "unit_of_measure", "units"),
        detail_order=("cost_code",),
        figures=UnitFigures(),
        amounts=quantity_amounts,
        fields=QUANTITY_FIELDS,
        view=view,
        page=PageSpec("pages/production_quantities.py", view.title, ":material/inventory:"),
    )


MANPOWER = _manpower(PublishModule.MANPOWER)
TIMECARD = _timecard(PublishModule.TIMECARD)
QUANTITY = _quantity(PublishModule.QUANTITY)
TIMESHEET = _timesheet(PublishModule.TIMESHEET)
_DEFINITIONS = {found.module: found for found in (MANPOWER, TIMECARD, QUANTITY, TIMESHEET)}


def definition(module: PublishModule | str) -> ModuleDefinition:
    """The definition of `module` (a ValueError for a name that is no module)."""
    return _DEFINITIONS[PublishModule(module)]


def all_definitions() -> tuple[ModuleDefinition, ...]:
    """Every definition, in `PublishModule` order (the order setup and navigation list them)."""
    return tuple(_DEFINITIONS[module] for module in PublishModule)


def field_labels() -> dict[str, str]:
    """Every module's Procore fields as people call them (a field has one name in every module that writes it)."""
    return {name: text for found in all_definitions() for name, text in found.fields.items()}
