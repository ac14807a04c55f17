"""`python -m core reconcile`: drifting days printed, exit status 1 when any, 0 when none, 2 for bad arguments."""

from __future__ import annotations

import pytest

from core.cli import main
from core.models.publishing import PublishModule, PublishStatus
from tests.core.cli.test_publish import linked, linked_modules  # noqa: F401 - the linked manpower world, the CLI's environment set
from tests.core.publishing.engine_world import Linked

MANPOWER = PublishModule.MANPOWER
WEEK = ["--from", "2026-11-16", "--to", "2026-11-20"]


def test_reconcile_exits_0_after_a_clean_publish_and_1_with_the_day_a_delete_in_procore_drifts(
    linked: Linked,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["publish", "--module", "manpower", *WEEK, "--job-site", "1001"]) == 0
    capsys.readouterr()
    assert main(["reconcile", "--module", "manpower", *WEEK, "--job-site", "1001"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 of 5 job-site days drift")

    site = linked.site_ids(["1001"])[0]
    gone = next(e for e in linked.entries(MANPOWER, job_site_id=site) if e.status == PublishStatus.PUBLISHED)
    linked.control("POST", "act", kind="manpower_log", id=gone.procore_id, action="delete")

    assert main(["reconcile", "--module", "manpower", *WEEK, "--job-site", "1001"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("job site 1001 ")
    assert f" {gone.work_date}: time clock workers " in lines[0]
    assert lines[1] == (f"  manpower log {gone.procore_id} (entry {gone.id}) deleted in Procore: "
                        + lines[1].split("deleted in Procore: ", 1)[1])
    assert f"num_workers={gone.values['manpower']}" in lines[1]
    assert lines[-1].startswith("1 of 5 job-site days drift (1 Procore projects read)")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--module", "manpower", "--from", "2026-11-20", "--to", "2026-11-16"], "is before"),
    (["--module", "manpower", *WEEK, "--job-site", "9999"], "No job site numbered 9999"),
    (["--module", "payroll", *WEEK], "invalid choice"),
], ids=["range backwards", "unknown job site", "unknown module"])
def test_bad_arguments_exit_2_with_one_error_line(
    linked: Linked,  # noqa: F811
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str,
) -> None:
    try:
        status = main(["reconcile", *arguments])
    except SystemExit as stop:
        status = int(stop.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ")
    assert message in err
