from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.aggregation.rounding import (
    MICROS_PER_HOUR,
    hours,
    quantity_from_thousandths,
    quantity_thousandths,
    round_hours,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2.005", "2.01", id="half goes up"),
        pytest.param("2.0049", "2.00", id="below half goes down"),
        pytest.param("-2.005", "-2.01", id="negative half goes away from zero"),
        pytest.param("8", "8.00", id="whole hours"),
    ],
)
def test_the_rule_is_two_decimals_half_up(value: str, expected: str) -> None:
    assert round_hours(Decimal(value)) == Decimal(expected)


HALF_HUNDREDTH = MICROS_PER_HOUR // 200  # 18 s: odd multiples of it are exact halves of a hundredth
ANY_MICROS = st.integers(min_value=-10 * MICROS_PER_HOUR, max_value=500 * MICROS_PER_HOUR)
HALVES = st.integers(min_value=-2_000, max_value=100_000).map(lambda n: (2 * n + 1) * HALF_HUNDREDTH)


@given(micros=st.lists(st.one_of(ANY_MICROS, HALVES), min_size=1), per=st.integers(min_value=1, max_value=400))
def test_vectorised_hours_give_exactly_what_the_decimal_rule_gives(micros: list[int], per: int) -> None:
    result = hours(pd.Series(micros), per=pd.Series([per] * len(micros)))
    expected = [float(round_hours(Decimal(m) / MICROS_PER_HOUR / per)) for m in micros]
    assert result.tolist() == expected


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False), min_size=1, max_size=30))
def test_quantities_sum_exactly_as_thousandths(units: list[Decimal]) -> None:
    total = quantity_thousandths(pd.Series([float(u) for u in units])).sum()
    assert quantity_from_thousandths(pd.Series([total])).iloc[0] == float(sum(units))
