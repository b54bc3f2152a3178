"""Assertions about the API's answers."""


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape, with the expected status (and code when given)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]
