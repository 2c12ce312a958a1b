"""The forked processes of ``report-all``: the router child and the workers, and the counter they share.

Each child is forked (it inherits the parent's state, never pickled) and takes its work one item at a
time from a :class:`Dealer`, so a process on a slower core simply takes fewer. A child sends back one
answer through a pipe, or the traceback of what failed, which the parent raises.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

from sla_cli.routing import Data, Routes, Scanned, assemble, chunk_bounds, scan_chunks

T = TypeVar("T")
R = TypeVar("R")


class Dealer(Generic[T]):
    """Hands the items out in order, one at a time, to whichever forked process asks next.

    The position is a counter in shared memory (with its lock), made before the fork.
    """

    def __init__(self, items: list[T]) -> None:
        self._items = items
        self._next = multiprocessing.get_context("fork").Value("q", 0)

    def __iter__(self) -> Iterator[T]:
        while True:
            with self._next.get_lock():
                index = self._next.value
                self._next.value = index + 1
            if index >= len(self._items):
                return
            yield self._items[index]


def start_forked(
    work: Callable[[Iterable[T]], R], dealer: Dealer[T], processes: int, what: str
) -> Callable[[], list[R]]:
    """Fork ``processes`` children, each answering ``work(dealer)``; call the result to wait for their
    answers (in the order of the children). ``what`` names the children in an error."""
    context = multiprocessing.get_context("fork")

    def child(conn: Connection) -> None:
        try:
            conn.send(("ok", work(dealer)))
        except BaseException:  # noqa: BLE001 — reported to the parent, which raises
            conn.send(("failed", traceback.format_exc()))
        finally:
            conn.close()

    gc.freeze()  # keep the collector out of the shared pages in the children
    try:
        started = []
        for _ in range(processes):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=child, args=(send,), daemon=True)
            process.start()
            send.close()
            started.append((process, receive))
    finally:
        gc.unfreeze()

    def answers() -> list[R]:
        got = []
        for process, receive in started:
            try:
                answer = receive.recv()
            except EOFError:
                answer = None
            process.join()
            got.append(answer or ("failed", f"a {what} ended without an answer (exit code {process.exitcode})"))
        failed = [value for status, value in got if status != "ok"]
        if failed:
            raise RuntimeError(f"{what} failed:\n" + "\n".join(failed))
        return [value for _, value in got]

    return answers


def run_forked(work: Callable[[Iterable[T]], R], items: list[T], processes: int, what: str) -> list[R]:
    """``work`` in ``processes`` forked children that share ``items``; their answers (:func:`start_forked`)."""
    return start_forked(work, Dealer(items), processes, what)()


def route_aside(data: Data, source: str) -> Callable[[], tuple[Routes, float]]:
    """Route the lines in a forked child while the caller goes on; call the result to wait for the routes.

    The child takes the file's chunks one at a time from a counter it shares with the caller
    (:class:`Dealer`); when the caller is done with its own work it takes the chunks still left, so
    whichever finishes first helps the other. The child sends its chunks' arrays back (16 bytes a line)
    and its CPU seconds; the caller puts the routes together (:func:`sla_cli.routing.assemble`).
    """
    bounds = chunk_bounds(data)
    dealer = Dealer(list(range(len(bounds))))

    def scan(numbers: Iterable[int]) -> tuple[Scanned, float]:
        cpu = time.process_time()
        scanned = scan_chunks(data, bounds, numbers)
        return scanned, time.process_time() - cpu

    router = start_forked(scan, dealer, 1, "report-all router")

    def routes() -> tuple[Routes, float]:
        mine = scan_chunks(data, bounds, dealer)  # the chunks the child has not taken yet
        [(scanned, cpu)] = router()
        return assemble(data, bounds, [scanned, mine], source), cpu

    return routes
