"""Every dashboard's preview names fields as the screens do and the records behind Procore's ids by name."""

from __future__ import annotations

import pytest

from core.models.publishing import PublishModule
from core.modules.fields import ID_KINDS
from core.modules.registry import definition
from tests.core.publishing.engine_world import Linked
from tests.pages.test_dashboard_pages import PAGES, _click_day, _key, _ok, _open
from tests.pages.test_dashboard_pages import linked as linked  # noqa: F401  (the fixture)


@pytest.mark.parametrize("module", list(PAGES))
def test_a_preview_shows_no_api_field_and_no_procore_id(linked: Linked, module: PublishModule) -> None:
    (site,) = linked.site_ids(["1002"])
    at = _click_day(_open(module), module, site, details=True)

    at.button(key=_key(module, "preview")).click().run()

    _ok(at)
    table = next(frame for frame in at.dataframe if "field" in frame.value.columns)
    fields = definition(module).fields
    assert set(table.value["field"]) <= set(fields.values())  # "Vendor", "Cost code"; never "contact_id"
    named = {fields[name] for name in ID_KINDS if name in fields}
    values = table.value.loc[table.value["field"].isin(named), "after"]
    assert len(values)
    assert not [value for value in values if str(value).isdigit()]  # a Procore id would be digits only
    assert not [name for name in table.proto.column_order if name.endswith("_id")]
