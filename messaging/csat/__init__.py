"""The satisfaction survey (CSAT): asked when a session is closed, answered
by the customer's next message when it is a rating (docs/PIPELINE.md)."""
