import pytest
from sqlmodel import Session

from core.models import PayID
from core.models.ids import saved_id


def test_a_stored_row_gives_its_id_and_a_new_one_says_it_has_none(session: Session) -> None:
    pay_id = PayID(code="ZZ", name="Test")
    with pytest.raises(ValueError, match="PayID has no id yet"):
        saved_id(pay_id)
    session.add(pay_id)
    session.flush()
    assert saved_id(pay_id) == pay_id.id
    assert isinstance(saved_id(pay_id), int)
