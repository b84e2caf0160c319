"""Fixtures shared by the engine tests."""

import pytest
import torch


@pytest.fixture(scope="module")
def one_thread():
    """Tiny networks: one thread avoids thread-pool stalls on a busy machine (restored after).
    Opt in per module with `pytestmark = pytest.mark.usefixtures("one_thread")`."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
