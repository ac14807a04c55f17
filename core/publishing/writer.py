"""The writer: sends a run's steps to Procore from a pool of threads and never guesses about a lost answer.

Creates go in batches (as many per request as the target takes), updates and
deletes one by one. Each failure is handled by the action its error declares
(`core.errors.ErrorAction`), in one place per kind of write:

* RECONNECT stops the run (the remaining steps are not sent);
* RECONCILE (the answer was lost: a timeout, a dropped connection, a 5xx that
  may follow work) lists the project's records first and adopts the entry's
  record when Procore holds it; only an entry proven absent is sent once more;
* FIX_DATA splits a refused batch so one bad entry does not fail the others;
* MISSING (404) means an updated record was deleted meanwhile, and a deleted
  one was already gone;
* anything else fails the entry with the error's message.

Resending without looking is the retry layer's job (`core.procore.retries`),
and it does so only for answers Procore documents as refused before any work.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.errors import ErrorAction, ProcoreConnectError
from core.modules.targets import Outgoing, Remote, Target, date_window
from core.procore.client import ProcoreClient
from core.procore.errors import OutcomeUnknownError
from core.publishing.duplicates import UNCERTAIN, Duplicate
from core.publishing.plan import Operation, Step

SUCCESS_CODES = {Operation.CREATE: 201, Operation.UPDATE: 200, Operation.DELETE: 200}
_TRIES = 2  # a write whose record proved absent after a lost answer is sent once more


@dataclass
class Result:
    """How one step ended."""

    step: Step
    outcome: Operation  # what was done (ADOPT for a record found after a lost answer), or SKIP / FAIL
    remote: Remote | None = None
    status_code: int | None = None
    message: str | None = None
    sent: bool = True  # False: never sent (the run stopped); the claim is released unchanged


class _Stop(Exception):
    """The connection needs an admin: no further step is sent."""

    def __init__(self, error: ProcoreConnectError) -> None:
        super().__init__(str(error))


def batches(target: Target, steps: Sequence[Step]) -> Iterator[list[Step]]:
    """Creates in bulk per project (as many as the target takes per request); updates and deletes one by one."""
    creates: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        if step.operation is Operation.CREATE:
            creates[step.project_id or 0].append(step)
        else:
            yield [step]
    for project_steps in creates.values():
        for start in range(0, len(project_steps), target.bulk_create):
            yield project_steps[start:start + target.bulk_create]


class Writer:
    """Sends steps to Procore; reconciles lost answers before any second try. Thread-safe."""

    def __init__(self, client: ProcoreClient, target: Target, owned: set[int]) -> None:
        self.client = client
        self.target = target
        self.owned = owned  # Procore ids held by an entry: never adopted by another
        self.lock = threading.Lock()
        self.stopped: str | None = None

    def run(self, steps: list[Step]) -> list[Result]:
        """Write one batch (see `batches`); every step gets exactly one result."""
        if not self.stopped:
            try:
                if steps[0].operation is Operation.CREATE:
                    return self._create(steps, tries=_TRIES)
                return [self._change(steps[0], tries=_TRIES)]
            except _Stop as stop:
                self.stopped = str(stop)
        return [Result(step, Operation.FAIL, message=self.stopped, sent=False) for step in steps]

    def remove_duplicate(self, duplicate: Duplicate) -> tuple[bool, str] | None:
        """Delete a second copy of an entry's record: (deleted, what happened), or None once the run stopped."""
        if self.stopped:
            return None
        try:
            self.target.delete(self.client, duplicate.project_id, duplicate.remote_id)
        except ProcoreConnectError as error:
            if error.action is ErrorAction.RECONNECT:
                self.stopped = str(error)
                return None
            if error.action is not ErrorAction.MISSING:
                return False, f"{duplicate.reason}; deleting it failed ({error}); the next publish tries again"
        return True, f"{duplicate.reason}; deleted it and kept {self.target.label} {duplicate.kept_id}"

    # -- creates ------------------------------------------------------------------------------

    def _create(self, steps: list[Step], *, tries: int) -> list[Result]:
        project = steps[0].project_id
        assert project is not None
        outgoing = [Outgoing(step.entry.id, step.entry.work_date, step.payload or {}) for step in steps]
        try:
            created = self.target.create(self.client, project, outgoing)
        except ProcoreConnectError as error:
            return self._create_failed(steps, error, tries=tries)
        return self._match_created(steps, created)

    def _create_failed(self, steps: list[Step], error: ProcoreConnectError, *, tries: int) -> list[Result]:
        match error.action:
            case ErrorAction.RECONNECT:
                raise _Stop(error) from error
            case ErrorAction.RECONCILE:
                return self._after_lost_create(steps, error, tries=tries - 1)
            case ErrorAction.FIX_DATA if len(steps) > 1:
                # One refused entry fails the whole (transactional) request: send them one by one.
                return [result for step in steps for result in self._create([step], tries=tries)]
            case _:
                return [_failed(step, error) for step in steps]

    def _match_created(self, steps: list[Step], created: Sequence[Remote]) -> list[Result]:
        results = []
        unmatched = list(steps)
        for remote in created:
            step = next((s for s in unmatched if self.target.is_entry(remote, s.entry.id, s.payload or {})), None)
            if step is None and len(unmatched) == 1 and len(created) == 1:
                step = unmatched[0]
            if step is not None:
                unmatched.remove(step)
                self._own(remote.id)
                results.append(Result(step, Operation.CREATE, remote, status_code=SUCCESS_CODES[Operation.CREATE]))
        if unmatched:
            lost = OutcomeUnknownError("Procore's answer did not list every created record", method="POST", path="")
            results.extend(self._after_lost_create(unmatched, lost, tries=0))
        return results

    def _after_lost_create(self, steps: list[Step], error: ProcoreConnectError, *, tries: int) -> list[Result]:
        """A create whose answer was lost: adopt what Procore holds, send the rest once more if allowed."""
        try:
            found = self._find(steps)
        except ProcoreConnectError as read_error:
            if read_error.action is ErrorAction.RECONNECT:
                self.stopped = self.stopped or str(read_error)  # nothing more is sent; these stay in doubt
            return [Result(step, Operation.FAIL, message=_unknown(error, read_error)) for step in steps]
        results = [Result(step, Operation.ADOPT, found[step.entry.id], message=f"found in Procore after: {error}")
                   for step in steps if step.entry.id in found]
        missing = [step for step in steps if step.entry.id not in found]
        if missing and tries > 0:
            results.extend(_resent(self._send_again(missing, tries=tries), error))
        else:
            results.extend(Result(step, Operation.FAIL, message=_unknown(error)) for step in missing)
        return results

    def _send_again(self, steps: list[Step], *, tries: int) -> list[Result]:
        """The second send of creates proven absent; when the run must stop first, they fail unsent."""
        try:
            return self._create(steps, tries=tries)
        except _Stop as stop:
            self.stopped = self.stopped or str(stop)
            return [Result(step, Operation.FAIL, message=str(stop)) for step in steps]

    def _find(self, steps: Sequence[Step]) -> dict[int, Remote]:
        """The records of `steps` Procore holds (one list call for their project and dates)."""
        project = steps[0].project_id
        assert project is not None
        listed = self.target.list_remote(self.client, project, *date_window(s.entry.work_date for s in steps))
        found: dict[int, Remote] = {}
        with self.lock:
            for step in steps:
                match = next((remote for remote in listed if remote.id not in self.owned
                              and remote.work_date == step.entry.work_date
                              and self.target.is_entry(remote, step.entry.id, step.payload or {})), None)
                if match is not None:
                    self.owned.add(match.id)
                    found[step.entry.id] = match
        return found

    def _own(self, remote_id: int) -> None:
        with self.lock:
            self.owned.add(remote_id)

    # -- updates and deletes ------------------------------------------------------------------

    def _change(self, step: Step, *, tries: int) -> Result:
        """Update or delete one record; a lost answer is checked against Procore before one more try."""
        assert step.project_id is not None
        assert step.remote_id is not None
        remote: Remote | None = None
        try:
            if step.operation is Operation.DELETE:
                self.target.delete(self.client, step.project_id, step.remote_id)
            else:
                remote = self.target.update(self.client, step.project_id, step.remote_id, step.payload or {})
        except ProcoreConnectError as error:
            return self._change_failed(step, error, tries=tries)
        return Result(step, step.operation, remote, status_code=SUCCESS_CODES[step.operation])

    def _change_failed(self, step: Step, error: ProcoreConnectError, *, tries: int) -> Result:
        deleting = step.operation is Operation.DELETE
        match error.action:
            case ErrorAction.RECONNECT:
                raise _Stop(error) from error
            case ErrorAction.MISSING if deleting:
                return Result(step, Operation.REMOVE, message=f"the {self.target.label} was already gone from Procore")
            case ErrorAction.MISSING:
                return self._gone(step)
            case ErrorAction.RECONCILE:
                return self._after_lost_change(step, error, tries=tries)
            case _:
                return _failed(step, error)

    def _after_lost_change(self, step: Step, error: ProcoreConnectError, *, tries: int) -> Result:
        deleting = step.operation is Operation.DELETE
        try:
            current = self._listed(step)
        except ProcoreConnectError as read_error:
            if read_error.action is ErrorAction.RECONNECT:
                raise _Stop(read_error) from read_error
            return Result(step, Operation.FAIL, message=_unknown(error, read_error))
        if (current is None) if deleting else (current is not None and current.fields == step.after):
            return Result(step, step.operation, current, message=f"confirmed in Procore after: {error}")
        if current is None:
            return self._gone(step)
        if tries > 1:
            return self._change(step, tries=tries - 1)
        return Result(step, Operation.FAIL, message=_unknown(error))

    def _gone(self, step: Step) -> Result:
        return Result(step, Operation.FAIL, message=f"the {self.target.label} was deleted in Procore meanwhile")

    def _listed(self, step: Step) -> Remote | None:
        assert step.project_id is not None
        assert step.remote_id is not None
        day = step.entry.work_date
        return next((r for r in self.target.list_remote(self.client, step.project_id, day, day)
                     if r.id == step.remote_id), None)


def _failed(step: Step, error: ProcoreConnectError) -> Result:
    return Result(step, Operation.FAIL, status_code=getattr(error, "status_code", None), message=str(error))


def _unknown(error: ProcoreConnectError, read_error: ProcoreConnectError | None = None) -> str:
    checked = f"; Procore could not be read to check ({read_error})" if read_error else ""
    return f"{UNCERTAIN} ({error}){checked}. The next publish looks for the record in Procore " \
           "before sending it again."


def _resent(results: list[Result], error: ProcoreConnectError) -> list[Result]:
    """Creates sent again after a lost answer say so, however the second send ended (created, itself lost and
    then adopted, or failed): the first send may still land, and the next publish must look for it (see
    `duplicates`), so every one of their messages names the lost answer."""
    for result in results:
        if result.outcome is Operation.CREATE:
            result.message = f"sent again: {UNCERTAIN} ({error}) and Procore did not hold the record; " \
                             "a copy that lands later is removed by the next publish"
        elif result.outcome is Operation.ADOPT:
            result.message = f"{result.message}; sent again after an earlier {UNCERTAIN} ({error}): " \
                             "a copy that lands later is removed by the next publish"
        elif UNCERTAIN not in (result.message or ""):
            result.message = f"{_unknown(error)} Sending it again failed: {result.message}"
    return results
