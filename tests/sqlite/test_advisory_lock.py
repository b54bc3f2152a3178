"""core.locks on SQLite: no advisory locks, so every caller may go on."""

import pytest

from core.locks import advisory_lock_try

pytestmark = pytest.mark.django_db


def test_the_lock_is_always_free_even_held_twice():
    with (
        advisory_lock_try(7301, "instance:0") as first,
        advisory_lock_try(7301, "instance:0") as second,
    ):
        assert (first, second) == (True, True)
    with advisory_lock_try(7301, "instance:0") as again:
        assert again is True
