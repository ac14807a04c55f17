"""What each publishing dashboard shows: its title, the figures of a calendar cell and the columns of a day."""

from __future__ import annotations

from dataclasses import dataclass

from core.models.publishing import PublishModule

TRAILING_COLUMNS = {"status_label": "Status", "reasons": "Reasons", "procore_id": "Procore ID"}


@dataclass(frozen=True)
class ModuleView:
    """How one module's dashboard reads: names, detail columns (entries_frame column → label), chart."""

    module: PublishModule
    title: str
    intro: str
    entry_noun: str  # one entry, as people call it ("crew")
    columns: dict[str, str]
    label_columns: tuple[str, ...]  # the columns that name an entry in a sentence
    chart_value: str  # the figure charted per day
    chart_label: str

    @property
    def detail_columns(self) -> dict[str, str]:
        """The columns of the details table, the module's own first, labelled."""
        return self.columns | TRAILING_COLUMNS


VIEWS: dict[PublishModule, ModuleView] = {
    PublishModule.MANPOWER: ModuleView(
        module=PublishModule.MANPOWER,
        title="Manpower",
        intro="Crews and the hours they worked, per job site and day, published as Procore daily log manpower.",
        entry_noun="crew",
        columns={"company": "Company", "crew": "Crew tag", "total_hours": "Total hours", "manpower": "Manpower",
                 "average_hours": "Average hours"},
        label_columns=("company", "crew"),
        chart_value="total_hours",
        chart_label="Total hours",
    ),
    PublishModule.TIMECARD: ModuleView(
        module=PublishModule.TIMECARD,
        title="Timecard",
        intro="Each employee's time per pay ID and cost code, per job site and day, published as Procore "
              "timecard entries.",
        entry_noun="timecard",
        columns={"employee": "Employee", "pay_class": "Pay class", "cost_code": "Cost code", "pay_id": "Pay ID",
                 "payroll_item": "Payroll item", "hours": "Duration (hours)"},
        label_columns=("employee", "cost_code", "pay_id"),
        chart_value="hours",
        chart_label="Hours",
    ),
    PublishModule.QUANTITY: ModuleView(
        module=PublishModule.QUANTITY,
        title="Production quantity",
        intro="Quantities put in place per cost code, per job site and day, published as Procore daily log "
              "quantities.",
        entry_noun="quantity",
        columns={"cost_code": "Cost code", "unit_of_measure": "UM", "units": "Units"},
        label_columns=("cost_code", "unit_of_measure"),
        chart_value="units",
        chart_label="Units",
    ),
}


def view_for(module: PublishModule | str) -> ModuleView:
    """The dashboard of `module`; a KeyError for a module without one (timesheets go through Payroll)."""
    return VIEWS[PublishModule(module)]
