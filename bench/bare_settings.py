"""The ingest benchmark's baseline: the product's settings with a one-view URLconf."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
