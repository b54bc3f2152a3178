from accounts.models import Department
from tests.support import factories
from tests.support.api import assert_error


def test_department_crud(api_client):
    response = api_client.post(
        "/api/v1/departments", {"name": "Vendas", "description": "Sales"}, format="json"
    )
    assert response.status_code == 201
    department = Department.objects.get()
    expected = {
        "id": str(department.id),
        "name": "Vendas",
        "description": "Sales",
        "active": True,
        "autoAssign": False,
        "createdAt": department.created_at.isoformat().replace("+00:00", "Z"),
        "updatedAt": department.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert response.json() == expected
    assert api_client.get(f"/api/v1/departments/{department.id}").json() == expected
    assert api_client.get("/api/v1/departments").json()["data"] == [expected]
    response = api_client.patch(
        f"/api/v1/departments/{department.id}", {"active": False}, format="json"
    )
    assert response.json()["active"] is False
    response = api_client.patch(
        f"/api/v1/departments/{department.id}", {"autoAssign": True}, format="json"
    )
    assert (response.json()["autoAssign"], response.json()["active"]) == (True, False)
    assert api_client.delete(f"/api/v1/departments/{department.id}").status_code == 204
    assert not Department.objects.exists()


def test_department_validation(api_client, department):
    assert_error(api_client.post("/api/v1/departments", {}, format="json"), 400)
    assert_error(
        api_client.post("/api/v1/departments", {"name": "Vendas"}, format="json"),
        409,
        "department_name_taken",
    )


def test_delete_is_refused_while_open_sessions_are_assigned(
    api_client, department, contact, instance
):
    factories.make_session(contact=contact, instance=instance, assigned_department=department)
    assert_error(
        api_client.delete(f"/api/v1/departments/{department.id}"), 409, "department_in_use"
    )
