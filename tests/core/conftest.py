import pytest

from tests.support.console import login


@pytest.fixture
def portuguese_agent_client(agent):
    """An agent's console as it opens by default: Portuguese, no language chosen."""
    return login(agent, language=None)
