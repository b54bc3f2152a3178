"""Post an admin add/change form as a browser would: what the page shows,
with the fields a test changes."""

from django.test import Client


def form_data(response, **changes) -> dict:
    """The POST body of the form on ``response`` (an add or change page)."""
    data: dict = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def submit(client: Client, url: str, /, **changes):
    """GET the form at ``url``, POST it back with ``changes``."""
    return client.post(url, form_data(client.get(url), **changes))


def form_errors(response) -> dict:
    """Field name (``__all__`` for the form) -> messages; empty when saved."""
    if response.status_code == 302:
        return {}
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }
