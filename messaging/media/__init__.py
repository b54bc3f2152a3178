"""Media of messages: ``files`` (fetched once, stored, served), ``urls`` (where
the API serves them) and ``transcription`` (the hand-off to ``transcription``)."""
