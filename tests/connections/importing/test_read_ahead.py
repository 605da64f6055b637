import threading

import pytest

from connections.importing.reading import read_ahead


def threads_reading() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "import-read-ahead"]


def test_read_ahead_gives_every_item_in_order():
    assert list(read_ahead(iter(range(1000)), chunk=7, chunks=2)) == list(range(1000))
    assert list(read_ahead(iter([]))) == []
    assert not threads_reading()


def test_an_error_while_reading_reaches_the_caller_after_the_items_before_it():
    def items():
        yield from range(10)
        raise ValueError("line 11 is broken")

    seen = []
    with pytest.raises(ValueError, match="line 11 is broken"):
        for item in read_ahead(items(), chunk=3):
            seen.append(item)
    assert seen == list(range(10))
    assert not threads_reading()


def test_a_caller_that_stops_early_stops_the_reading_thread():
    reader = read_ahead(iter(range(100_000)), chunk=10, chunks=2)
    assert next(reader) == 0
    reader.close()
    assert not threads_reading()
