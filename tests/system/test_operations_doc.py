"""docs/OPERATIONS.md lists every metric family, and the dashboard uses only real ones."""

import json
import re
from pathlib import Path

from prometheus_client import Counter, Histogram

from core import metrics
from tests.support.metrics import scrape

DOCS = Path(__file__).resolve().parents[2] / "docs"
# Exported only while a scrape-time collector fails.
ONLY_ON_FAILURE = {"atende_metrics_collector_up"}


def _documented() -> set[str]:
    text = (DOCS / "OPERATIONS.md").read_text()
    return set(re.findall(r"^\| `(atende_[a-z_]+)` \|", text, flags=re.MULTILINE))


def _defined() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names.add(f"{value._name}_total")
        elif isinstance(value, Histogram):
            names.add(value._name)
    return names


def test_every_metric_family_is_documented_and_every_documented_one_exists(db, settings):
    exported = {
        line.split()[2]
        for line in scrape(settings).text.splitlines()
        if line.startswith("# HELP atende_")
    }
    families = _defined() | exported

    assert families - _documented() == set()
    assert _documented() - families - ONLY_ON_FAILURE == set()


def test_the_grafana_dashboard_queries_only_documented_metrics():
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    expressions = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]

    used = {
        re.sub(r"_(bucket|count|sum)$", "", name)
        for expr in expressions
        for name in re.findall(r"atende_[a-z_]+", expr)
    }
    assert used, "the dashboard has no queries"
    assert used - _documented() == set()
