"""The product's WSGI app with the pipeline hooks switched off (bench attribution only).

Shows what the webhook view and ingest cost on their own, apart from what
``messaging.pipeline`` (turns, transcription) adds to each customer message.
"""

from config.wsgi import application  # noqa: F401  (loads Django first)
from messaging import pipeline

pipeline.on_customer_message = lambda message: None
