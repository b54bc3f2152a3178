// Agent console: keep the conversation and an instance's pairing QR fresh
// without a reload, canned responses in the reply box, and copy buttons. Plain script, no build step.
(function () {
  "use strict";

  function scrollToEnd(box) {
    if (box) { box.scrollTop = box.scrollHeight; }
  }

  function startPolling(root) {
    var url = root.getAttribute("data-poll-url");
    var seconds = parseInt(root.getAttribute("data-poll-seconds"), 10) || 4;
    var version = root.getAttribute("data-version");
    var timeline = document.getElementById("atd-timeline");
    var state = document.getElementById("atd-state");
    var busy = false;

    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url + "?version=" + encodeURIComponent(version), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || !data.changed) { return; }
          var atEnd = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 40;
          version = data.version;
          root.setAttribute("data-version", version);
          timeline.innerHTML = data.timeline;
          state.innerHTML = data.state;
          if (atEnd) { scrollToEnd(timeline); }
        })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { busy = false; });
    }
    window.setInterval(tick, seconds * 1000);
  }

  // Reply box: "/" and a few letters list the canned responses (already
  // filled in for this session by the server); arrows pick, Enter inserts
  // the text in place of "/code" for the agent to edit, Esc closes.
  function wireCannedResponses(textarea) {
    var list = document.getElementById("atd-canned");
    var url = textarea.getAttribute("data-canned-url");
    if (!list || !url) { return; }
    var responses = null;
    var shown = [];
    var selected = 0;
    var token = null;  // {start, end, query} of the "/query" being typed

    function load() {
      if (responses !== null) { return Promise.resolve(responses); }
      return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { responses: [] }; })
        .then(function (data) { responses = data.responses || []; return responses; });
    }

    function currentToken() {
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, caret);
      var match = /(^|\s)\/([a-z0-9_-]*)$/.exec(before);
      if (!match) { return null; }
      return { start: caret - match[2].length - 1, end: caret, query: match[2] };
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      shown = [];
      token = null;
    }

    function render() {
      list.innerHTML = "";
      if (!shown.length) {
        var empty = document.createElement("li");
        empty.className = "atd-canned-empty";
        empty.textContent = textarea.getAttribute("data-canned-empty");
        list.appendChild(empty);
      }
      shown.forEach(function (item, index) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-short-code", item.shortCode);
        li.setAttribute("aria-selected", index === selected ? "true" : "false");
        var code = document.createElement("strong");
        code.textContent = "/" + item.shortCode;
        li.appendChild(code);
        li.appendChild(document.createTextNode(item.text));
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          insert(index);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      var active = list.children[selected];
      if (active && active.scrollIntoView) { active.scrollIntoView({ block: "nearest" }); }
    }

    function update() {
      token = currentToken();
      if (!token) { close(); return; }
      var wanted = token;
      load().then(function (all) {
        if (token !== wanted) { return; }
        var query = wanted.query;
        var starts = all.filter(function (r) { return r.shortCode.indexOf(query) === 0; });
        var contains = all.filter(function (r) {
          return r.shortCode.indexOf(query) > 0;
        });
        shown = starts.concat(contains);
        selected = 0;
        render();
      });
    }

    function insert(index) {
      var item = shown[index];
      if (!item || !token) { return; }
      var value = textarea.value;
      textarea.value = value.slice(0, token.start) + item.text + value.slice(token.end);
      var caret = token.start + item.text.length;
      close();
      textarea.focus();
      textarea.setSelectionRange(caret, caret);
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (document.activeElement !== textarea) { close(); }
      }, 150);
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!shown.length) { return; }
        var step = event.key === "ArrowDown" ? 1 : -1;
        selected = (selected + step + shown.length) % shown.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (!shown.length) { return; }
        event.preventDefault();
        insert(selected);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
  }

  function wireCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) { return; }
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          var label = button.textContent;
          button.textContent = button.getAttribute("data-copied") || label;
          window.setTimeout(function () { button.textContent = label; }, 1500);
        });
      });
    });
  }

  // Instance page: follow the newest QR (and the pairing code sent with it)
  // and the connection status until the number is connected (gateways
  // rotate the QR about every 20 s).
  function followConnection(box) {
    var url = box.getAttribute("data-poll-url");
    var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 3;
    var version = box.getAttribute("data-version");
    var status = document.querySelector(".field-connection_column .readonly");
    var busy = false;
    var timer = null;

    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (data.version !== version) {
            version = data.version;
            box.setAttribute("data-version", version);
            box.setAttribute("data-status", data.status);
            box.innerHTML = data.qrHtml;
            if (status) { status.innerHTML = data.connectionHtml; }
          }
          if (data.connected) { window.clearInterval(timer); }
        })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { busy = false; });
    }
    if (box.getAttribute("data-status") !== "CONNECTED") {
      timer = window.setInterval(tick, seconds * 1000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var qr = document.getElementById("atd-qr-live");
    if (qr) { followConnection(qr); }
    var root = document.getElementById("atd-conversation");
    if (root) {
      var timeline = document.getElementById("atd-timeline");
      scrollToEnd(timeline);
      // Images and players change the height as they load: stay at the end.
      window.addEventListener("load", function () { scrollToEnd(timeline); });
      startPolling(root);
    }
    var reply = document.getElementById("atd-reply-text");
    if (reply) { wireCannedResponses(reply); }
    wireCopyButtons();
  });
})();
