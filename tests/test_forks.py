"""report-all's forked processes (sla_cli.forks): every item dealt once, a child's failure raised in the parent."""

from __future__ import annotations

import os

import pytest

from sla_cli.forks import run_forked


def test_the_children_share_the_items_and_each_item_is_dealt_once() -> None:
    answers = run_forked(lambda dealt: [(item, os.getpid()) for item in dealt], list(range(50)), 3, "test child")
    dealt = sorted(item for answer in answers for item, _ in answer)
    assert dealt == list(range(50)), "every item to exactly one child"
    assert len(answers) == 3 and os.getpid() not in {pid for answer in answers for _, pid in answer}


def test_a_failing_child_is_raised_in_the_parent_with_its_traceback() -> None:
    def work(dealt):
        for item in dealt:
            if item == 7:
                raise ValueError("item seven is bad")
        return "done"

    with pytest.raises(RuntimeError, match=r"(?s)test child failed:.*ValueError: item seven is bad"):
        run_forked(work, list(range(10)), 2, "test child")


def test_a_child_that_dies_without_answering_is_named() -> None:
    with pytest.raises(RuntimeError, match=r"a test child ended without an answer \(exit code 3\)"):
        run_forked(lambda dealt: os._exit(3), [1], 1, "test child")
