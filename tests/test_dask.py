"""`run --scheduler`: the map as tasks on a Dask distributed cluster gives the same tables as the local run.

A `LocalCluster` stands in for a real cluster (the client speaks to it over TCP on 127.0.0.1 as it would to a
remote scheduler). The worker-kill test kills a worker process while it holds tasks: Dask runs them again on
another worker and the tables are still byte-identical.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from analysis import parallel, paths
from analysis.cli import main
from analysis.pipeline import run

distributed = pytest.importorskip("distributed")

TABLES = ("documents.csv", "sentences.csv", "terms.csv", "skipped.csv")

pytestmark = pytest.mark.slow


def _same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster


def test_local_scheduler_gives_the_tables_of_the_process_pool(tmp_path, fixtures_dir):
    corpus = fixtures_dir / "corpus"
    run(corpus, tmp_path / "pool", progress=False, jobs=1, use_cache=False, chunk_size=1)
    run(corpus, tmp_path / "dask", progress=False, jobs=2, use_cache=False, chunk_size=1, scheduler="local")
    _same_tables(tmp_path / "pool", tmp_path / "dask")
    # the LocalCluster is closed with the run: no worker process is left
    assert not [child for child in _children() if "distributed" in child or "dask" in child]


def test_the_environment_variable_names_the_scheduler(tmp_path, monkeypatch, cluster, fixtures_dir):
    calls = []
    original = parallel.DaskWorkers.map

    def counting(self, function, tasks, shared=(), **options):
        calls.append(len(tasks))
        return original(self, function, tasks, shared, **options)

    monkeypatch.setattr(parallel.DaskWorkers, "map", counting)
    monkeypatch.setenv(parallel.SCHEDULER_ENV, cluster.scheduler_address)
    run(fixtures_dir / "corpus", tmp_path / "env", progress=False, use_cache=False, chunk_size=1)
    monkeypatch.delenv(parallel.SCHEDULER_ENV)
    run(fixtures_dir / "corpus", tmp_path / "pool", progress=False, jobs=1, use_cache=False, chunk_size=1)
    assert calls and sum(calls) > 1  # the tasks went to the cluster
    _same_tables(tmp_path / "env", tmp_path / "pool")


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, capsys):
    code = main(["run", "--corpus", str(paths.RAW_DIR), "--out", str(tmp_path / "out"), "--no-cache",
                 "--no-progress", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9") and "\n" not in err


@pytest.mark.corpus
def test_a_worker_killed_mid_run_changes_nothing(tmp_path, corpora, cluster):
    corpus = corpora / "unsc_umuc"
    run(corpus, tmp_path / "pool", progress=False, jobs=1, use_cache=False)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    pids = client.run(os.getpid)  # worker address -> process id
    errors = []

    def dask_run():
        try:
            run(corpus, tmp_path / "dask", progress=False, use_cache=False, chunk_size=10,
                scheduler=cluster.scheduler_address)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=dask_run)
    thread.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and thread.is_alive() and time.monotonic() < deadline:
        busy = {address: tasks for address, tasks in client.processing().items() if tasks}
        if busy:
            victim = sorted(busy)[0]
            os.kill(pids[victim], signal.SIGKILL)  # the nanny starts a new worker; its tasks run elsewhere
        else:
            time.sleep(0.05)
    thread.join(timeout=600)
    client.close()
    assert victim is not None, "no worker was ever busy: the run finished before the kill"
    assert not errors, errors
    _same_tables(tmp_path / "pool", tmp_path / "dask")


@pytest.mark.corpus
def test_local_scheduler_on_a_real_corpus_is_byte_identical(tmp_path, corpora):
    corpus = corpora / "unsc_umuc"
    run(corpus, tmp_path / "pool", progress=False, jobs=2, use_cache=False)
    run(corpus, tmp_path / "dask", progress=False, jobs=2, use_cache=False, scheduler="local")
    _same_tables(tmp_path / "pool", tmp_path / "dask")


def _children() -> list[str]:
    """Command lines of this process's children."""
    import psutil

    return [" ".join(child.cmdline()) for child in psutil.Process().children(recursive=True)
            if child.is_running()]


def test_the_tree_reduction_combines_every_value_once_on_the_cluster(cluster):
    from operator import add

    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        for n in (0, 1, 2, 5, 8, 13):
            tree = parallel.TreeReduction(client, add)
            for value in range(1, n + 1):
                tree.add(client.scatter(value, hash=False))
                assert len(tree) == bin(value).count("1")  # a binary counter: partial results of distinct depths
            assert tree.result() == (n * (n + 1) // 2 if n else None)
    finally:
        client.close()


def test_term_counts_are_reduced_on_the_cluster_not_sent_back(tmp_path, monkeypatch, cluster, fixtures_dir):
    from analysis import pipeline

    added = []
    monkeypatch.setattr(pipeline.TermTotals, "add", lambda self, *a, **k: added.append(1))
    run(fixtures_dir / "corpus", tmp_path / "dask", progress=False, use_cache=False, chunk_size=1,
        scheduler=cluster.scheduler_address)
    assert not added  # this process summed no chunk's counts: the cluster did
    monkeypatch.undo()
    run(fixtures_dir / "corpus", tmp_path / "pool", progress=False, jobs=1, use_cache=False, chunk_size=1)
    _same_tables(tmp_path / "dask", tmp_path / "pool")


def test_a_cluster_object_and_a_corpus_url(tmp_path, cluster, fixtures_dir):
    """run(scheduler=<cluster object>) connects with the cluster's own settings and leaves it running; a corpus
    at a URL is read by the client, and the workers get its speeches as they get a local corpus's."""
    fsspec = pytest.importorskip("fsspec")
    from analysis.corpus import read_corpus

    table = tmp_path / "speeches.parquet"
    read_corpus(fixtures_dir / "corpus").documents[["doc_id", "country", "text"]].to_parquet(table, index=False)
    memory = fsspec.filesystem("memory")
    memory.put(str(table), "/dask-test/speeches.parquet")
    try:
        run("memory://dask-test/speeches.parquet", tmp_path / "dask", progress=False, use_cache=False, chunk_size=1,
            scheduler=cluster)
    finally:
        memory.rm("/dask-test", recursive=True)
    assert cluster.status.name == "running" and len(cluster.scheduler_info["workers"]) == 2
    run(table, tmp_path / "pool", progress=False, jobs=1, use_cache=False, chunk_size=1)
    _same_tables(tmp_path / "dask", tmp_path / "pool")
