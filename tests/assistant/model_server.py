"""A real HTTP server on 127.0.0.1 speaking OpenAI's chat-completions contract.

``POST /v1/chat/completions`` with ``model``, ``messages`` (roles system,
user, assistant, tool; a tool message must answer a ``tool_calls`` id the
assistant message before it made) and optional ``tools`` (function
definitions). Answers come from a script (``say``, ``call_tool``, ``fail``),
then the default text; every well-formed request is kept in ``calls``.
``hold()`` keeps the next answers waiting until ``release()``, so a test can
act while the model is "thinking".
"""

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass

from tests.support.http_server import FakeHTTPServer, RecordedRequest

CHAT = "/v1/chat/completions"
ROLES = {"system", "user", "assistant", "tool"}
USAGE = {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}


@dataclass
class ChatCall:
    body: dict

    @property
    def messages(self) -> list[dict]:
        return self.body["messages"]

    @property
    def system(self) -> str:
        return self.messages[0]["content"]

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.body.get("tools") or []]


class FakeChatModel:
    def __init__(self, default_reply: str = "Olá! Posso ajudar com mais alguma coisa?"):
        self.default_reply = default_reply
        self.calls: list[ChatCall] = []
        self._script: deque = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._gate = threading.Event()
        self._gate.set()
        self.waiting = threading.Event()  # set while a request is held
        self.server = FakeHTTPServer()
        self.server.route("POST", CHAT, self._chat)

    # --- the script -----------------------------------------------------------

    def say(self, text: str) -> None:
        self._script.append(("message", {"role": "assistant", "content": text}))

    def call_tool(self, name: str, arguments, content: str | None = None) -> None:
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        self._script.append(
            (
                "message",
                {
                    "role": "assistant",
                    "content": content,
                    "tool_calls": [
                        {
                            "id": f"call_{next(self._ids)}",
                            "type": "function",
                            "function": {"name": name, "arguments": raw},
                        }
                    ],
                },
            )
        )

    def fail(self, status: int, times: int = 1) -> None:
        for _ in range(times):
            self._script.append(("error", status))

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    # --- the server -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.server.requests_to(CHAT)

    def start(self) -> "FakeChatModel":
        self.server.start()
        return self

    def stop(self) -> None:
        self.release()
        self.server.stop()

    @staticmethod
    def _bad(problem: str):
        return 400, {"error": {"message": problem, "type": "invalid_request_error"}}

    def _problem(self, request: RecordedRequest) -> str | None:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return "missing bearer key"
        body = request.json
        if not isinstance(body, dict) or not body.get("model"):
            return "model is required"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages must be a non-empty list"
        open_calls: set[str] = set()
        for message in messages:
            if message.get("role") not in ROLES:
                return f"unknown role {message.get('role')!r}"
            if message["role"] == "assistant":
                open_calls = {c["id"] for c in message.get("tool_calls") or []}
            elif message["role"] == "tool":
                if message.get("tool_call_id") not in open_calls:
                    return "a tool message must answer a tool_calls id"
            elif not isinstance(message.get("content"), str):
                return "content must be a string"
        for tool in body.get("tools") or []:
            function = tool.get("function") or {}
            if tool.get("type") != "function" or not function.get("name"):
                return "tools must be function definitions"
            if (function.get("parameters") or {}).get("type") != "object":
                return "function parameters must be a JSON schema object"
        return None

    def _chat(self, request: RecordedRequest):
        problem = self._problem(request)
        if problem:
            return self._bad(problem)
        body = request.json
        with self._lock:
            self.calls.append(ChatCall(body=body))
            planned = self._script.popleft() if self._script else None
        if not self._gate.is_set():
            self.waiting.set()
            self._gate.wait(30)
        if planned and planned[0] == "error":
            status = planned[1]
            return status, {"error": {"message": f"simulated {status}", "type": "test"}}
        message = planned[1] if planned else {"role": "assistant", "content": self.default_reply}
        return 200, {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 1700000000,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                }
            ],
            "usage": USAGE,
        }
