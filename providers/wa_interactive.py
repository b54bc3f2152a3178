"""A tap on buttons or a list in WhatsApp Web's protocol (Baileys, Evolution).

WAProto: ``buttonsResponseMessage.selectedButtonId``/``selectedDisplayText``,
``listResponseMessage.singleSelectReply.selectedRowId``/``title``,
``templateButtonReplyMessage.selectedId``/``selectedDisplayText`` and
``interactiveResponseMessage.nativeFlowResponseMessage.paramsJson``.
https://github.com/WhiskeySockets/Baileys/blob/master/WAProto/WAProto.proto
"""

from __future__ import annotations

import json


def interactive_reply(kind_key: str, body: dict) -> tuple[str, str]:
    """(option id, option title) of a tap, by the WAProto message that carries it."""
    if kind_key == "buttonsResponseMessage":
        return body.get("selectedButtonId") or "", body.get("selectedDisplayText") or ""
    if kind_key == "listResponseMessage":
        return (body.get("singleSelectReply") or {}).get("selectedRowId") or "", body.get(
            "title"
        ) or ""
    if kind_key == "templateButtonReplyMessage":
        return body.get("selectedId") or "", body.get("selectedDisplayText") or ""
    native = body.get("nativeFlowResponseMessage") or {}
    try:  # ``paramsJson``: ``{"id": ...}`` for a native-flow reply button or list row
        params = json.loads(native.get("paramsJson") or "{}")
    except ValueError:
        params = None
    params = params if isinstance(params, dict) else {}
    title = (body.get("body") or {}).get("text") or params.get("title") or ""
    return str(params.get("id") or native.get("paramsJson") or ""), str(title)
