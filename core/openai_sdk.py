"""The openai package, imported on first use.

It takes about 0.6 s to import, in every process that loads the app (web,
worker, beat, each manage.py command); only the processes that call a model
(the assistant's replies, transcriptions) need it.
"""


def openai_sdk():
    """The ``openai`` module."""
    # Heavy, and needed only by the processes that call a model (docstring).
    import openai

    return openai
