"""Aggregation of time-clock rows into what Procore receives: pure pandas, plus one loader module.

`source` reads rows for a date range; `manpower`, `timecards` and
`quantities` turn frames into frames without I/O; `rounding` holds the one
rounding rule.
"""

from core.aggregation.manpower import MANPOWER_COLUMNS, MANPOWER_KEY, MANPOWER_VALUES, aggregate_manpower
from core.aggregation.quantities import QUANTITY_COLUMNS, QUANTITY_KEY, QUANTITY_VALUES, aggregate_quantities
from core.aggregation.source import load_production_quantities, load_time_logs
from core.aggregation.timecards import TIMECARD_COLUMNS, TIMECARD_KEY, TIMECARD_VALUES, aggregate_timecards

__all__ = [
    "MANPOWER_COLUMNS",
    "MANPOWER_KEY",
    "MANPOWER_VALUES",
    "QUANTITY_COLUMNS",
    "QUANTITY_KEY",
    "QUANTITY_VALUES",
    "TIMECARD_COLUMNS",
    "TIMECARD_KEY",
    "TIMECARD_VALUES",
    "aggregate_manpower",
    "aggregate_quantities",
    "aggregate_timecards",
    "load_production_quantities",
    "load_time_logs",
]
