import pytest

from tests.admin.conftest import login
from tests.support import factories


@pytest.fixture
def agent(organization):
    return factories.make_agent(organization, username="ana")


@pytest.fixture
def portuguese_agent_client(agent):
    """An agent's console as it opens by default: Portuguese, no language chosen."""
    return login(agent, language=None)
