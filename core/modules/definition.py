"""`ModuleDefinition`: everything one publish module is, read by setup, navigation, publishing, sync and dashboards.

A definition holds how the module aggregates (`ModuleSpec`), where it writes
in Procore (its target), what it needs mapped, the columns and figures its
dashboard shows with their texts (`ModuleView`), its page, the permissions it
needs beyond publishing, and the module it cannot be enabled with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from core.access import Perm
from core.models.mapping import Entity
from core.models.publishing import PublishModule
from core.modules.amounts import Amounts
from core.modules.targets.base import Target

Loader = Callable[..., pd.DataFrame]
Rules = Callable[[pd.DataFrame], list[list[str]]]
TRAILING_COLUMNS = {"status_label": "Status", "reasons": "Reasons", "procore_id": "Procore ID"}


@dataclass(frozen=True)
class ModuleSpec:
    """How one module turns time-clock rows into publish entries."""

    load: Loader
    aggregate: Callable[[pd.DataFrame], pd.DataFrame]
    key: list[str]
    values: list[str]
    rules: Rules


class PageSpec(NamedTuple):
    """One page of the app's navigation."""

    script: str  # relative to the project root
    title: str
    icon: str


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
    chart_colour: str | None = None  # the figure column the chart's bars are coloured by

    @property
    def detail_columns(self) -> dict[str, str]:
        """The columns of the details table, the module's own first, labelled."""
        return self.columns | TRAILING_COLUMNS


@dataclass(frozen=True)
class CountedFigures:
    """A calendar cell counts what was done and sums its hours: "4 manpower · 32 h", "3 timecards · 24 h"."""

    count: str  # the column of the count
    hours: str  # the value summed as hours, and its column
    one: str  # one of the count, as people say it
    many: str
    summed: str | None = None  # the value the count adds up; None counts the entries

    @property
    def columns(self) -> list[str]:
        return [self.count, self.hours]


@dataclass(frozen=True)
class UnitFigures:
    """A calendar cell lists the units per cost code and unit of measure ("05-100 2.3 TON · 09-250 372 SF")."""

    @property
    def columns(self) -> list[str]:
        return ["cost_code", "unit_of_measure", "units"]


Figures = CountedFigures | UnitFigures


@dataclass(frozen=True)
class ModuleDefinition:
    """One publish module: the only place its facts are written (see `core.modules.registry`)."""

    module: PublishModule
    label: str  # how Procore setup offers it
    spec: ModuleSpec
    target: Target
    entities: frozenset[Entity]  # what its entries need mapped: synced, checked and resolved alike
    display_columns: tuple[str, ...]  # entries_frame's module columns, names before values
    detail_order: tuple[str, ...]  # how a day's entries sort (after job site and date)
    figures: Figures
    amounts: Amounts  # what reconciliation sums of one of its records
    fields: Mapping[str, str]  # the Procore fields it writes, as people call them (`core.modules.fields`)
    view: ModuleView | None = None  # its dashboard; None when it publishes elsewhere
    page: PageSpec | None = None
    permissions: tuple[Perm, ...] = field(default=())  # needed besides Publish
    excludes: PublishModule | None = None  # cannot be enabled together with this one

    def __post_init__(self) -> None:
        if self.target.module is not self.module or (self.view is not None and self.view.module is not self.module):
            raise ValueError(f"the {self.module} definition's target and view must be bound to it")
        if self.page is not None and self.view is None:
            raise ValueError(f"the {self.module} page needs a view")
