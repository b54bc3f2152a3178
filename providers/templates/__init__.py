"""WhatsApp message templates (Cloud API): the synced copy, what each needs, sending it.

``spec`` reads a template's components (its variables, header, buttons),
checks a send's parameters against them and builds Meta's ``components``;
``sync`` keeps the copy in step with Meta; ``api`` lists and syncs them.
"""
