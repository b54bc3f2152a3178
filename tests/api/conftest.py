import pytest

from tests.support import factories


@pytest.fixture
def tabulation(organization):
    return factories.make_tabulation(
        organization, name="Lead", background_color="#ff9900", description="Asked for a quote"
    )


@pytest.fixture
def department(organization):
    from accounts.models import Department

    return Department.objects.create(organization=organization, name="Vendas")


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape, with the expected status (and code when given)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]
