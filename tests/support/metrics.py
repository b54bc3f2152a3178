"""Reading /metrics the way Prometheus does (the text exposition format)."""

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-test-token-7c1e"


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = [
            sample for family in text_string_to_metric_families(text) for sample in family.samples
        ]

    def value(self, name: str, **labels) -> float:
        """The sum of ``name``'s samples whose labels include ``labels``."""
        return sum(
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def labels_of(self, name: str) -> list[dict]:
        return [s.labels for s in self.samples if s.name == name]


def scrape(settings) -> Scrape:
    settings.METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content[:500]
    return Scrape(response.content.decode())
