"""Named points inside the inventory services where a test may pause one buyer.

In the style of PostgreSQL's isolation tests: a test sets a hook for a checkpoint (for example
``reservation.stock_read``: after the stock rows are read under lock, before anything is written)
and holds one thread there while another runs to the end, to prove the lock prevents an oversell.
In production no hook is set and a checkpoint costs one dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_hooks: dict[str, Callable[[], None]] = {}


def checkpoint(name: str) -> None:
    """Run the hook set for ``name``, if any."""
    hook = _hooks.get(name)
    if hook is not None:
        hook()


@contextmanager
def checkpoint_hook(name: str, hook: Callable[[], None]) -> Iterator[None]:
    """Set ``hook`` at checkpoint ``name`` for the duration of the block (tests only)."""
    _hooks[name] = hook
    try:
        yield
    finally:
        _hooks.pop(name, None)
