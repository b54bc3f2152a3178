"""A minimal Django view: parse the JSON body, insert one row. The ingest baseline."""

import json

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_bare_webhook"


@csrf_exempt
def bare_webhook(request, secret):
    body = json.loads(request.body)
    data = body["data"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (message_id, text, created_at) VALUES (%s, %s, now())",  # noqa: S608
            [data["key"]["id"], data["message"].get("conversation", "")],
        )
    return JsonResponse({"ok": True})


urlpatterns = [path("api/v1/webhooks/evolution/<str:secret>", bare_webhook)]
