"""Running the pipeline's map: in this process, in worker processes (joblib's loky), or as tasks on a Dask
distributed cluster; results always in input order, so the tables do not depend on where the work ran.

What the pipeline needs from a process pool, in one place: how many cores to use, chunks of work, workers
started early (they import the package while this process reads the corpus), an ordered map with a progress
bar, and nothing left running afterwards (loky's pool shuts its workers down when idle, and with this process;
a Dask ``LocalCluster`` is closed with the run).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterator, Sequence

from .errors import InputError
from .io import regular_file_status

__all__ = ["DaskWorkers", "SCHEDULER_ENV", "TreeReduction", "Workers", "chunks", "default_jobs", "map_tasks",
           "progress_bar", "start_workers"]

#: The environment variable that names a Dask scheduler when ``run`` is given none.
SCHEDULER_ENV = "UNSPEECH_SCHEDULER"


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def _ready(parent: int | None = None) -> bool:
    if parent is not None:
        watch_parent(parent)
    return True


#: Seconds between a worker's checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5
_watching: list[int] = []


def watch_parent(parent: int) -> None:
    """In a worker process: exit when ``parent`` (the run that started it) is gone.

    A run killed with SIGKILL cannot stop its pool; without this its loky workers live on (for minutes, holding
    memory and the run's standard output open). A daemon thread checks the worker's parent process id every
    :data:`PARENT_CHECK_SECONDS` and ends the worker once it is no longer ``parent`` (re-parented to init or a
    subreaper). Does nothing in ``parent`` itself, and starts one thread per process.
    """
    if os.getpid() == parent or _watching:
        return
    import threading
    import time

    _watching.append(parent)

    def check() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=check, name="watch-parent", daemon=True).start()


def _in_worker(function, parent: int, *args):
    """``function(*args)`` in a worker process that ends when the run that started it dies."""
    watch_parent(parent)
    return function(*args)


class Workers:
    """Starts the worker processes in a background thread, so that they import the package while this
    process reads the corpus; :func:`map_tasks` then finds them ready (joblib reuses its process pool)."""

    def __init__(self, jobs: int, corpus_path: Path, chunk_size: int):
        self.thread = None
        if jobs > 1 and _count_inputs(corpus_path, more_than=chunk_size) > chunk_size:
            import threading

            self.thread = threading.Thread(target=self._start, args=(jobs,), daemon=True)
            self.thread.start()

    @staticmethod
    def _start(jobs: int) -> None:
        from joblib import Parallel, delayed

        Parallel(n_jobs=jobs, backend="loky")(delayed(_ready)(os.getpid()) for _ in range(jobs))

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def close(self) -> None:
        """Nothing to shut down: joblib keeps its pool for the next run and stops idle workers itself."""
        self.wait()


def _count_inputs(path: Path, *, more_than: int) -> int:
    """About how many speeches a corpus holds, counting no further than ``more_than + 1`` (cheap: file names
    or a Parquet footer; a CSV table counts as large)."""
    if path.is_dir():
        found = 0
        for _, _, filenames in os.walk(path):
            found += sum(name.lower().endswith(".txt") for name in filenames)
            if found > more_than:
                break
        return found
    if path.suffix.lower() == ".txt":
        return 1
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow.parquet as pq

            regular_file_status(path)  # a pipe would block
            return pq.read_metadata(path).num_rows
        except Exception:  # an unreadable table: the reader will say why
            return 0
    return more_than + 1


class DaskWorkers:
    """The map's tasks on a Dask distributed cluster.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``; the workers must be able to read
    the corpus files at the paths this process sees, and have this package installed), a cluster object
    (``SLURMCluster``, ``KubeCluster``, ``coiled.Cluster``: connected with its own security settings, left
    running) or ``"local"``: a ``LocalCluster`` of ``jobs`` single-threaded worker processes on this machine,
    closed by :meth:`close`.
    The arguments every task shares (the trained labeller and lexicon) are sent to each worker once
    (``Client.scatter``); a task lost with a dying worker is run again by Dask on another.
    """

    def __init__(self, scheduler, jobs: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - a dependency of the project
            raise InputError("a Dask scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
        self.cluster = None
        self.client = None
        try:
            if not isinstance(scheduler, str):  # a cluster object: its address may need its TLS settings
                self.client = Client(scheduler, timeout="20s", set_as_default=False)
                return
            if scheduler == "local":
                self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
                address = self.cluster.scheduler_address
            else:
                address = scheduler
            self.client = Client(address, timeout="20s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = scheduler if isinstance(scheduler, str) else getattr(scheduler, "scheduler_address", scheduler)
            raise InputError(f"cannot reach the Dask scheduler at {where}: {exc}") from None

    def wait(self) -> None:
        """Nothing to wait for: the cluster's workers are up once the client is connected."""

    def map(self, function, tasks: list[tuple], shared: Sequence[int] = (), *, remote: bool = False) -> Iterator:
        """``function(*task)`` for each task on the cluster, results in task order; the arguments at positions
        ``shared`` are the same object in every task and travel to each worker once.

        With ``remote``, ``function`` returns a pair ``(here, there)``: only ``here`` comes back, and each
        result is ``(here, future)``, ``there`` staying on the cluster for more tasks (:meth:`submit`,
        :meth:`tree`); Dask recomputes it from its task should the worker holding it die.
        """
        if not tasks:
            return
        scattered = {i: self.client.scatter(tasks[0][i], broadcast=True, hash=False) for i in shared}
        futures = [self.client.submit(function, *[scattered.get(i, value) for i, value in enumerate(task)],
                                      pure=False) for task in tasks]
        kept = [None] * len(futures)
        if remote:
            kept = [self.client.submit(_item, future, 1, pure=False) for future in futures]
            futures = [self.client.submit(_item, future, 0, pure=False) for future in futures]
        try:
            for future, there in zip(futures, kept):
                yield (future.result(), there) if remote else future.result()
        finally:
            self.client.cancel(futures)

    def submit(self, function, *args):
        """``function(*args)`` as one task on the cluster (arguments may be futures): its future."""
        return self.client.submit(function, *args, pure=False)

    def tree(self, combine) -> TreeReduction:
        """A :class:`TreeReduction` with ``combine`` on this cluster."""
        return TreeReduction(self.client, combine)

    def close(self) -> None:
        """Disconnect, and shut a local cluster down with its worker processes."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def _item(pair: tuple, index: int):
    return pair[index]


class TreeReduction:
    """``combine`` over values on a Dask cluster, pairwise as they arrive: a binary tree of tasks.

    :meth:`add` a future; whenever two partial results of the same depth exist they are combined by a task on
    the cluster, so the reduction runs beside the map, no task holds more than two partial results, and the
    client receives only the final value (:meth:`result`). ``combine(a, b)`` must be associative and
    commutative, and must not modify its arguments (a task may run again).
    """

    def __init__(self, client, combine):
        self.client = client
        self.combine = combine
        self._levels: list[tuple[int, object]] = []  # (depth, future), depths decreasing

    def add(self, future) -> None:
        depth = 0
        while self._levels and self._levels[-1][0] == depth:
            _, other = self._levels.pop()
            future = self.client.submit(self.combine, other, future, pure=False)
            depth += 1
        self._levels.append((depth, future))

    def __len__(self) -> int:
        return len(self._levels)

    def result(self):
        """The reduced value (``None`` when nothing was added)."""
        if not self._levels:
            return None
        future = self._levels.pop()[1]
        while self._levels:
            future = self.client.submit(self.combine, self._levels.pop()[1], future, pure=False)
        return future.result()


def start_workers(jobs: int, corpus_path: Path, chunk_size: int, scheduler=None):
    """The workers of one run: a Dask cluster when ``scheduler`` (or :data:`SCHEDULER_ENV`) names one (an
    address, ``"local"`` or a cluster object, as :class:`DaskWorkers` takes), else the local process pool
    (:class:`Workers`)."""
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if scheduler:
        return DaskWorkers(scheduler, jobs)
    return Workers(jobs, corpus_path, chunk_size)


def map_tasks(function, tasks: list[tuple], *, jobs: int, progress, sizes: list[int],
              workers: Workers | DaskWorkers | None = None, shared: Sequence[int] = (),
              remote: bool = False) -> Iterator:
    """``function(*task)`` for each task, in order; on the Dask cluster of ``workers`` when it is one, else in
    ``jobs`` worker processes when there is more than one task. ``progress`` (a tqdm bar or None) advances by
    ``sizes[i]`` when task ``i`` is done; ``shared`` and ``remote`` as :meth:`DaskWorkers.map` (off a cluster,
    the pair comes back whole)."""
    if isinstance(workers, DaskWorkers):
        for size, result in zip(sizes, workers.map(function, tasks, shared, remote=remote)):
            if progress is not None:
                progress.update(size)
            yield result
        return
    parallel = jobs > 1 and len(tasks) > 1
    if parallel and workers is not None:
        workers.wait()  # one joblib call at a time on the pool
    if parallel:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=min(jobs, len(tasks)), backend="loky", return_as="generator",
                            pre_dispatch="2*n_jobs", batch_size=1)
        parent = os.getpid()
        results = parallel(delayed(_in_worker)(function, parent, *task) for task in tasks)
    else:
        results = (function(*task) for task in tasks)
    for size, result in zip(sizes, results):
        if progress is not None:
            progress.update(size)
        yield result


def progress_bar(enabled: bool, total: int, desc: str):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="speech", leave=False, smoothing=0.1)


