"""The garbage collector is tuned only for the length of a run, and given back as it was (issue 16)."""
import gc
import threading

from wizard.engine.collector import RUN_THRESHOLDS, tuned_for_run


def test_thresholds_are_raised_inside_and_restored_after():
    before = gc.get_threshold()
    with tuned_for_run():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() > 0  # what existed before the run is out of the collector's sight
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_even_when_the_run_fails():
    before = gc.get_threshold()
    try:
        with tuned_for_run():
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_overlapping_runs_in_threads_restore_only_when_the_last_ends():
    before = gc.get_threshold()
    first_in, second_done, seen = threading.Event(), threading.Event(), []

    def first():
        with tuned_for_run():
            first_in.set()
            second_done.wait(10)
            seen.append(gc.get_threshold())  # the other run has ended: still tuned for this one

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(10)
    with tuned_for_run():
        pass
    second_done.set()
    thread.join(10)
    assert seen == [RUN_THRESHOLDS]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_cycles_made_during_a_run_are_still_collected():
    class Node:
        pass

    with tuned_for_run():
        node = Node()
        node.self = node
        alive = [id(node)]
        del node
        gc.collect()
        assert not any(id(o) == alive[0] for o in gc.get_objects() if isinstance(o, Node))
