"""A Dask cluster on 127.0.0.1 for dask_driver.py: run by test_dask.py, with the interpreter the template's tests use.

Not a test module: `python -X dev -W error dask_cluster.py` starts a
`LocalCluster` (one worker, in this process, on threads; the scheduler, the
worker and their HTTP endpoints listen on 127.0.0.1 only, on ports the system
picks: Dask's own default would put the scheduler's HTTP server on port 8787),
prints the scheduler's address on one line, then answers one command a line
on its standard input, with one JSON line:

- `state`: what the cluster holds, as soon as it holds no task, or after 10 s:
  the keys the scheduler knows (`scheduler_tasks`), the keys the worker holds
  (`worker_tasks`, a computation still running there included), and the
  clients the scheduler serves (`clients`, the scheduler's own
  "fire-and-forget" left out).

It closes the cluster and exits when its standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from dask.distributed import LocalCluster

#: How long `state` waits for the cluster to hold no task (a computation that was running when it was
#: released runs on to its end on the worker: Dask does not interrupt a running function).
SETTLE_S = 10.0


def holdings(cluster: LocalCluster) -> dict[str, list[str]]:
    scheduler = cluster.scheduler
    return {
        "scheduler_tasks": sorted(map(str, scheduler.tasks)),
        "worker_tasks": sorted(str(key) for worker in cluster.workers.values() for key in worker.state.tasks),
        "clients": sorted(name for name in scheduler.clients if name != "fire-and-forget"),
    }


async def settled(cluster: LocalCluster) -> dict[str, list[str]]:
    deadline = time.monotonic() + SETTLE_S
    while True:
        held = holdings(cluster)
        if not (held["scheduler_tasks"] or held["worker_tasks"]) or time.monotonic() > deadline:
            return held
        await asyncio.sleep(0.02)


async def main() -> None:
    # Answering several clients at once can take longer than the 0.1 s after which debug mode (-X dev)
    # reports a slow step, on a busy machine. The cluster's speed is not what the test checks.
    asyncio.get_running_loop().slow_callback_duration = 2.0
    async with LocalCluster(
        asynchronous=True, n_workers=1, threads_per_worker=2, processes=False,
        host="127.0.0.1", protocol="tcp://", scheduler_port=0, dashboard_address="127.0.0.1:0",
    ) as cluster:  # fmt: skip
        print(cluster.scheduler_address, flush=True)
        while command := (await asyncio.to_thread(sys.stdin.readline)).strip():
            if command == "state":
                print(json.dumps(await settled(cluster)), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
