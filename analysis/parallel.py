"""Running the pipeline's map: in this process or in worker processes (joblib's loky), results in input order.

What the pipeline needs from a process pool, in one place: how many cores to use, chunks of work, workers
started early (they import the package while this process reads the corpus), an ordered map with a progress
bar, and nothing left running afterwards (loky's pool shuts its workers down when idle, and with this process).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

from .io import regular_file_status

__all__ = ["Workers", "chunks", "default_jobs", "map_tasks", "progress_bar"]


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def _ready() -> bool:
    return True


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

        Parallel(n_jobs=jobs, backend="loky")(delayed(_ready)() for _ in range(jobs))

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None


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


def map_tasks(function, tasks: list[tuple], *, jobs: int, progress, sizes: list[int],
         workers: Workers | None = None) -> Iterator:
    """``function(*task)`` for each task, in order; in ``jobs`` worker processes when there is more than one
    task. ``progress`` (a tqdm bar or None) advances by ``sizes[i]`` when task ``i`` is done."""
    parallel = jobs > 1 and len(tasks) > 1
    if parallel and workers is not None:
        workers.wait()  # one joblib call at a time on the pool
    if parallel:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=min(jobs, len(tasks)), backend="loky", return_as="generator",
                            pre_dispatch="2*n_jobs", batch_size=1)
        results = parallel(delayed(function)(*task) for task in tasks)
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


