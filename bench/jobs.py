"""Publishes as jobs: a 300-site week queued from the page, workers sharing a rate limit, one worker against two.

Run by hand from the project root (pytest never collects bench/):

    python bench/jobs.py [--sites 300] [--limited-entries 250] [--latency-sites 40] [--rounds 3]
                         [--latency-ms 50] [--parts page limit speed]

1. The page: a fresh world of 300 job sites (10 employees each, Monday to Friday) is opened on the
   Manpower dashboard by AppTest, as a browser would run it, with one worker process running
   (`python -m core worker`). "Publish week" is clicked (the summary, counted from the stored
   entries) then "Queue the publish": the time of each script run is the time from the click to
   the page answering (goal ≤ 1 s). The job then runs to its end on the worker; every entry of the
   week must be Published, Failed with a reason, or Non publishable (never sent).
2. The spike limit: a fresh world publishes about `--limited-entries` entries as 4 jobs (job sites
   split in 4, as "Publish selected job sites" queues them) with two worker processes while the
   emulator allows 25 requests per 10 s. Each worker counts the answers by status (an httpx hook
   in its process). Goal: 0 × 429 and wall time ≤ 1.2× the least the limit allows
   (requests / 25 × 10 s).
3. One worker against two: two identical fresh worlds of `--latency-sites` job sites publish the
   same 8 jobs at 50 ms (`--latency-ms`) of latency per request (no rate limits), one with one worker
   process, one with two; a third world with one worker process running two jobs at once (two
   consumer threads). Procore is served by an emulator process of its own, as real Procore answers
   from elsewhere (in this process its requests waited on the GIL behind the bench's polling). The
   shapes take turns for `--rounds` rounds and each one's best time counts (the speed of this
   machine's cores moves by a quarter from minute to minute: the same loop takes 0.20 s or 0.33 s).
   Goal: two ≥ 1.8× faster; every way leaves the same records in Procore. Printed beside it, the
   machine's own ceiling: how much more two processes that only compute get done than one.

In 2 and 3 the workers run as `python -m core worker` does (huey's consumer) and are started first:
the wall time runs from queueing the jobs to the last one's end, as for workers that run all day.
The time the processes took to start (imports) is printed beside it, and the CPU time the workers
and the emulator (a thread of this process in 2, its own process in 3) used meanwhile: with the cores
busy on average, it shows how close a run came to what the machine can give.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project root holds `core`

import httpx
from sqlmodel import Session, col, select

from bench.world import World, build_world
from core.jobs import enqueue_publish, jobs
from core.models.jobs import JobState, JobTrigger
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.procore.authorization import connect_client_credentials
from core.procore.connection import select_company
from core.publishing import PublishRequest, entries_frame, refresh

MANPOWER = PublishModule.MANPOWER
ROOT = Path(__file__).resolve().parents[1]
MONDAY, FRIDAY, SUNDAY = date(2026, 11, 16), date(2026, 11, 20), date(2026, 11, 22)
PAGE_GOAL, SPIKE, WINDOW, LIMIT_GOAL, SPEED_GOAL = 1.0, 25, 10, 1.2, 1.8
# A worker process (the consumer `python -m core worker` runs) that counts Procore's answers by status and
# prints them when stopped with Ctrl-C, with the CPU time it used since; it says "ready" once its imports are done.
COUNTING_WORKER = """
import collections, json, os, time, httpx
from core.config import get_settings
from core.jobs import run_worker
counts = collections.Counter()
send = httpx.Client.send
def counted(self, request, **kwargs):
    response = send(self, request, **kwargs)
    if "/rest/" in request.url.path:
        counts[response.status_code] += 1
    return response
httpx.Client.send = counted
print("ready", flush=True)
ready = time.process_time()
run_worker(get_settings(), workers=int(os.environ["WORKER_THREADS"]))
print(json.dumps({"answers": counts, "cpu": time.process_time() - ready}))
"""


def main() -> None:
    options = _options()
    print(f"load average at start: {os.getloadavg()}")
    if "page" in options.parts:
        _page(options.sites)
    if "limit" in options.parts:
        _limited(options.limited_entries)
    if "speed" in options.parts:
        _one_against_two(options.latency_sites, options.rounds, options.latency_ms)
    print(f"load average at end: {os.getloadavg()}")


def _world(sites: int) -> World:
    started = time.perf_counter()
    world = build_world(job_sites=sites, employees=10 * sites, days=5, modules={MANPOWER}, end=FRIDAY)
    # Connected again by the emulator's URL, the one every process names (see _env).
    world.settings = world.settings.model_copy(update={"procore_api_url": world.base_url,
                                                       "procore_login_url": world.base_url})
    connect_client_credentials(world.settings, world.engine, actor=world.admin, company_id=world.company_id)
    select_company(world.settings, world.engine, company_id=world.company_id, company_name="Northwind Builders")
    print(f"  world of {sites} job sites built in {time.perf_counter() - started:.0f} s")
    return world


def _env(world: World) -> dict[str, str]:
    """A worker's environment: the world's database and data directory, and its emulator by URL, as every
    worker names real Procore (by default each process would serve the state file on a port of its own, and
    the pacing state shared by a connection's workers is keyed by the URL)."""
    settings = world.settings
    return {**os.environ, "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
            "EMULATOR_STATE": str(settings.emulator_state), "DEMO_DATA": "false", "START_WORKER": "false",
            "PROCORE_API_URL": world.base_url, "PROCORE_LOGIN_URL": world.base_url}


def _page(sites: int) -> None:
    print(f"\n1. Publish week from the Manpower dashboard, {sites} job sites")
    world = _world(sites)
    kept = dict(os.environ)
    try:
        world.publishable(MANPOWER)
        os.environ.update(_env(world))  # the page reads its settings from the environment
        worker = subprocess.Popen([sys.executable, "-m", "core", "worker"], env=_env(world), cwd=ROOT,  # noqa: S603
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the job says what failed
        try:
            _wait(lambda: (Path(world.settings.data_dir) / "jobs_worker.pid").exists(), "the worker")
            job_id, clicks = _click_publish_week()
            started = time.perf_counter()
            _wait(lambda: _state(world, job_id) not in (JobState.QUEUED, JobState.RUNNING), "the job", 3600)
            ran = time.perf_counter() - started
        finally:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=120)
        (job,) = [j for j in jobs(world.engine) if j.id == job_id]
        statuses = _week_statuses(world)
        print(f"  click → page answered: summary {clicks[0]:.2f} s, queued {clicks[1]:.2f} s (AppTest: two whole "
              f"runs), one page run with the job running {clicks[2]:.2f} s (goal ≤ {PAGE_GOAL:.0f} s: "
              + ", ".join('met' if t <= PAGE_GOAL else 'NOT met' for t in clicks) + ")")
        print(f"  job #{job_id} {job.state} after {ran:.0f} s on one worker: {job.summary} {job.error or ''}")
        print(f"  the week's entries now: {dict(statuses)}")
        unsent = {s: n for s, n in statuses.items() if s not in _SETTLED}
        print(f"  every entry Published, Failed with a reason or Non publishable: {unsent or 'yes'}")
    finally:
        os.environ.clear()
        os.environ.update(kept)
        world.close()


_SETTLED = (PublishStatus.PUBLISHED.value, PublishStatus.FAILED.value, PublishStatus.NON_PUBLISHABLE.value)


def _click_publish_week() -> tuple[int, tuple[float, float, float]]:
    """The two clicks on the page, each timed from the click to the end of the script runs it causes, then
    one page run. AppTest reruns the whole script for a button in a dialog, then again for the dialog's
    `st.rerun()`; a browser reruns only the dialog there, then the page once: its wait after "Queue the
    publish" is about the dialog's own run plus the page run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "manpower.py"), default_timeout=600)
    at.session_state["manpower_dash_day"] = MONDAY
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    timed = []
    for key in ("manpower_dash_publish_range", "manpower_dash_confirm_range_yes"):
        started = time.perf_counter()
        at.button(key=key).click().run()
        timed.append(time.perf_counter() - started)
        assert not at.exception, [e.value for e in at.exception]
    queued = [i.value for i in at.info if i.value.startswith("Queued job #")]
    assert queued, [e.value for e in at.error]
    started = time.perf_counter()
    at.run()  # one whole page run with the job queued or running: what a browser waits for after "Queue"
    timed.append(time.perf_counter() - started)
    return int(queued[0].split("#")[1].split(":")[0]), (timed[0], timed[1], timed[2])


def _state(world: World, job_id: int) -> str:
    return next(j.state for j in jobs(world.engine) if j.id == job_id)


def _week_statuses(world: World) -> Counter[str]:
    with Session(world.engine) as session:
        frame = entries_frame(session, module=MANPOWER, start=MONDAY, end=SUNDAY)
    failed_without_reason = frame[(frame["status"] == PublishStatus.FAILED.value) & (frame["reasons"].str.len() == 0)]
    assert failed_without_reason.empty, "a Failed entry has no reason"
    return Counter(frame["status"])


def _queue_in_groups(world: World, groups: int) -> list[int]:
    """Jobs as "Publish selected job sites" queues them: the week's job sites split in `groups`."""
    with Session(world.engine) as session:
        week = entries_frame(session, module=MANPOWER, start=MONDAY, end=SUNDAY)
    sites = sorted({int(site) for site in week["job_site_id"]})
    return [enqueue_publish(world.settings, world.engine, PublishRequest(
        module=MANPOWER, start=MONDAY, end=SUNDAY, job_site_ids=frozenset(sites[n::groups])),
        actor=world.admin, trigger=JobTrigger.RANGE) for n in range(groups)]


def _drain(world: World, workers: int, groups: int, threads: int = 1,
           emulator: int | None = None) -> tuple[float, Counter[int]]:
    """`workers` worker processes, started and ready (imports done), then the week queued as `groups` jobs:
    the wall time from queueing to the last job's end, and the answers by status. Also printed: the time
    with the workers' start, and the CPU time the workers used (near the wall time, a worker waits on the
    CPU, not Procore). A worker runs for days: its start is not part of publishing."""
    logs = [Path(world.settings.data_dir) / f"worker-{n}.log" for n in range(workers)]
    def served() -> float:  # the emulator's CPU time so far
        return _process_cpu(emulator) if emulator is not None else _own_cpu()

    cpu, own = _children_cpu(), served()
    launched = time.perf_counter()
    env = {**_env(world), "WORKER_THREADS": str(threads)}  # jobs run at once in one process
    processes = [subprocess.Popen([sys.executable, "-c", COUNTING_WORKER], env=env, cwd=ROOT,  # noqa: S603
                                  stdout=subprocess.PIPE, stderr=log.open("w"), text=True) for log in logs]
    for process, log in zip(processes, logs, strict=True):
        if not process.stdout or process.stdout.readline().strip() != "ready":
            raise SystemExit(f"a worker failed: {log.read_text()[-2000:]}")
    started = time.perf_counter()
    job_ids = set(_queue_in_groups(world, groups))
    _wait(lambda: not job_ids & {j.id for j in jobs(world.engine, states=[JobState.QUEUED, JobState.RUNNING])},
          "the jobs", 7200, every=0.1)
    seconds, procore = time.perf_counter() - started, served() - own
    answers: Counter[int] = Counter()
    working = 0.0  # the workers' CPU time once ready
    for process, log in zip(processes, logs, strict=True):
        process.send_signal(signal.SIGINT)  # the consumer's graceful stop
        out, _ = process.communicate(timeout=120)  # a log in a file: a full pipe would stall the other worker
        if process.returncode != 0:
            raise SystemExit(f"a worker failed: {log.read_text()[-2000:]}")
        said = json.loads(out.strip().splitlines()[-1])
        answers.update({int(k): v for k, v in said["answers"].items()})
        working += said["cpu"]
    print(f"  {workers} worker process(es) of {threads} thread(s): {seconds:.1f} s from queueing to the last job's end "
          f"({started - launched:.1f} s before that to start them), {_children_cpu() - cpu:.1f} s CPU in all, "
          f"{working:.1f} s once ready; the emulator ({'its own process' if emulator else 'this process'}) "
          f"{procore:.1f} s CPU; cores busy on average {(working + procore) / seconds:.2f} of {os.cpu_count()}")
    return seconds, answers


def _own_cpu() -> float:
    """This process's CPU time: the emulator's threads, and the bench polling the jobs every 0.1 s."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _limited(entries: int) -> None:
    sites = max(4, entries // 20)  # about 20 manpower entries per job site over a working week
    print(f"\n2. Two workers, 4 jobs, {sites} job sites, under {SPIKE} requests per {WINDOW} s")
    world = _world(sites)
    try:
        world.publishable(MANPOWER)
        world.reset_procore()
        world.configure(rate_limit_spike=SPIKE, rate_limit_spike_window=WINDOW, rate_limit_hourly=100_000)
        world.clear_stats()
        seconds, answers = _drain(world, 2, 4)
        requests = sum(world.stats().values())
        _check_jobs(world)
    finally:
        world.close()
    minimum = requests / SPIKE * WINDOW
    ratio, rejected = seconds / minimum, answers[429]
    print(f"  {requests} requests; answers by status {dict(sorted(answers.items()))}; {seconds:.1f} s against the "
          f"minimum {minimum:.1f} s: {ratio:.2f}x; {rejected} × 429 (goal 0 and ≤ {LIMIT_GOAL}x: "
          f"{'met' if rejected == 0 and ratio <= LIMIT_GOAL else 'NOT met'})")


def _one_against_two(sites: int, rounds: int, latency_ms: int) -> None:
    print(f"\n3. One worker against two, 8 jobs, {sites} job sites, {latency_ms} ms per request; beside them, one "
          f"worker process running two jobs at once (two consumer threads); {rounds} round(s), the shapes taking turns")
    shapes = ((1, 1), (2, 1), (1, 2))  # worker processes, consumer threads each
    timed: dict[tuple[int, int], list[float]] = {shape: [] for shape in shapes}
    records: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
    for _round in range(rounds):
        for shape in shapes:
            world = _world(sites)
            emulator = _own_emulator(world)
            try:
                refresh(world.engine, module=MANPOWER, start=MONDAY, end=SUNDAY)  # as the week's dashboard opened
                world.configure(latency_ms=latency_ms)
                seconds, answers = _drain(world, shape[0], 8, threads=shape[1], emulator=emulator.pid)
                world.configure(latency_ms=0)
                _check_jobs(world)
                found = _procore_records(world)
            finally:
                emulator.terminate()
                emulator.wait()
                world.close()
            timed[shape].append(seconds)
            if records.setdefault(shape, found) != found:
                print(f"  {shape[0]} worker(s) of {shape[1]} thread(s) left other records than in its first round")
                records[shape] = []
            print(f"  {shape[0]} worker(s) of {shape[1]} thread(s): {seconds:.1f} s, answers "
                  f"{dict(sorted(answers.items()))}, {len(found)} records in Procore")
    best = {shape: min(times) for shape, times in timed.items()}
    ratio, threaded = best[(1, 1)] / best[(2, 1)], best[(1, 1)] / best[(1, 2)]
    each = [one / two for one, two in zip(timed[(1, 1)], timed[(2, 1)], strict=True)]
    same = records[(1, 1)] == records[(2, 1)] == records[(1, 2)] != []
    if not same:
        other = next(shape for shape in records if records[shape] != records[(1, 1)])
        differs = next(((a, b) for a, b in zip(records[(1, 1)], records[other], strict=False) if a != b), None)
        print(f"  first difference from one worker, with {other[0]} worker(s) of {other[1]} thread(s): {differs}")
    print(f"  best of {rounds}: one worker {best[(1, 1)]:.1f} s, two workers {best[(2, 1)]:.1f} s, one process of two "
          f"threads {best[(1, 2)]:.1f} s; two workers against one round by round: "
          f"{', '.join(f'{r:.2f}x' for r in each)} (the machine's speed moves from minute to minute)")
    print(f"  one process of two threads {threaded:.2f}x faster than one worker")
    scaling = _two_process_scaling()
    print(f"  this machine's own ceiling: two processes that only compute do {scaling[len(scaling) // 2]:.2f}x the "
          f"work of one in the same time (median of {', '.join(f'{x:.2f}x' for x in scaling)}; 2.00x on two cores "
          f"of their own)")
    print(f"  two workers {ratio:.2f}x faster (goal ≥ {SPEED_GOAL}x: {'met' if ratio >= SPEED_GOAL else 'NOT met'}); "
          f"the same Procore records every way: {'yes' if same else 'NO'}")


def _own_emulator(world: World) -> subprocess.Popen[bytes]:
    """The world's Procore served by a process of its own (`python -m emulator` on the world's state file), as
    real Procore answers from elsewhere: in this process its requests would wait on the GIL behind the bench's
    polling. The world is connected again to it (a stored connection names its Procore by URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", str(port),  # noqa: S603
                                "--state", str(world.settings.emulator_state)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{url}/_emulator/world", timeout=1).status_code == 200
        except httpx.HTTPError:
            return process.poll() is not None  # it ended: said below

    _wait(answers, "the emulator process")
    if process.poll() is not None:
        raise SystemExit("the emulator process ended at its start")
    world.base_url = url
    world.settings = world.settings.model_copy(update={"procore_api_url": url, "procore_login_url": url})
    connect_client_credentials(world.settings, world.engine, actor=world.admin, company_id=world.company_id)
    select_company(world.settings, world.engine, company_id=world.company_id, company_name="Northwind Builders")
    return process


_LOOP = "import time\nstarted = time.perf_counter()\nsum(i * i for i in range(20_000_000))\n" \
        "print(time.perf_counter() - started)"


def _two_process_scaling(rounds: int = 5) -> list[float]:
    """How much more work two processes that only compute get done than one in the same time, round by round,
    sorted: a loop's time alone against the slower of two copies run right after it at once."""
    def run(copies: int) -> float:
        processes = [subprocess.Popen([sys.executable, "-c", _LOOP], stdout=subprocess.PIPE, text=True)  # noqa: S603
                     for _ in range(copies)]
        return max(float(process.communicate()[0]) for process in processes)

    return sorted(2 * run(1) / run(2) for _round in range(rounds))


def _process_cpu(pid: int) -> float:
    """The CPU time (user and system) a running process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _check_jobs(world: World) -> None:
    ended = Counter(str(j.state) for j in jobs(world.engine, limit=100))
    print(f"  jobs: {dict(ended)}")
    assert set(ended) == {JobState.DONE.value}, [j.error for j in jobs(world.engine) if j.error]
    _week_statuses(world)


_COMPARED = ("date", "num_workers", "num_hours", "man_hours", "notes", "status", "vendor", "user", "contact",
             "cost_code", "location", "trade")


def _procore_records(world: World) -> list[tuple[Any, ...]]:
    """Every manpower log in Procore for the week, by project, without what differs between two worlds
    however alike (record ids, times, the order of creation)."""
    with Session(world.engine) as session:
        frame = entries_frame(session, module=MANPOWER, start=MONDAY, end=SUNDAY)
    with world.client() as client:
        projects = sorted({int(p) for p in _project_ids(world, frame["id"])})
        found = []
        for project in projects:
            for log in client.iter_manpower_logs(project_id=project, start=MONDAY, end=SUNDAY):
                found.append((project, *(str(getattr(log, name)) for name in _COMPARED)))
    return sorted(found)


def _project_ids(world: World, entry_ids: Any) -> set[int]:
    with Session(world.engine) as session:
        query = select(PublishEntry.procore_project_id).where(col(PublishEntry.id).in_([int(i) for i in entry_ids]))
        return {int(p) for p in session.exec(query) if p is not None}


def _wait(check: Any, what: str, timeout: float = 120, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(every)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--limited-entries", type=int, default=250)
    parser.add_argument("--latency-sites", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of part 3; each shape's best time counts")
    parser.add_argument("--latency-ms", type=int, default=50, help="Procore's latency per request in part 3")
    parser.add_argument("--parts", nargs="+", choices=["page", "limit", "speed"], default=["page", "limit", "speed"])
    return parser.parse_args()


if __name__ == "__main__":
    main()
