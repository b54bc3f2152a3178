"""The integrators' API for conversations: ``messages``, ``sessions`` (reads
with messages), their ``serializers`` and ``urls``."""
