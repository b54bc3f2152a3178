// Agent console: keep the conversation and an instance's pairing QR fresh
// without a reload, the session list live, canned responses in the reply box,
// and copy buttons. Plain script, no build step.
(function () {
  "use strict";

  function scrollToEnd(box) {
    if (box) { box.scrollTop = box.scrollHeight; }
  }

  function nearEnd(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  }

  // The conversation opens at its newest message and stays there while
  // images, audio and video above it load and grow (they load late: lazily,
  // or after the page's load event), until the agent scrolls up to read.
  function keepAtEnd(timeline) {
    var pinned = true;
    var settling = false;
    function settle() {
      if (!pinned) { return; }
      settling = true;
      scrollToEnd(timeline);
      window.requestAnimationFrame(function () { settling = false; });
    }
    timeline.addEventListener("scroll", function () {
      if (!settling) { pinned = nearEnd(timeline); }
    });
    // Media events do not bubble: listen in the capture phase.
    ["load", "loadedmetadata", "error"].forEach(function (name) {
      timeline.addEventListener(name, settle, true);
    });
    if (window.ResizeObserver) {
      var observer = new window.ResizeObserver(settle);
      observer.observe(timeline);
      timeline.addEventListener("atd:replaced", function () {
        Array.prototype.forEach.call(timeline.children, function (child) { observer.observe(child); });
      });
      Array.prototype.forEach.call(timeline.children, function (child) { observer.observe(child); });
    }
    window.addEventListener("load", settle);
    settle();
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
          var atEnd = nearEnd(timeline);
          version = data.version;
          root.setAttribute("data-version", version);
          timeline.innerHTML = data.timeline;
          timeline.dispatchEvent(new window.Event("atd:replaced"));
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

  // Session list: ask every few seconds whether anything changed (a 304
  // when not; paused while the tab is hidden); when it did, fetch this very
  // URL again (filters, ordering and page kept) and swap the rows, keeping
  // the scroll position. The title counts unread conversations waiting for
  // me; a new one is announced (notification, optional sound).
  function followSessionList(box) {
    var url = box.getAttribute("data-changes-url");
    var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 4;
    var version = box.getAttribute("data-version");
    var baseTitle = document.title;
    var waitingNode = document.getElementById("atd-inbox-waiting");
    var known = {};
    (waitingNode ? JSON.parse(waitingNode.textContent) : []).forEach(function (item) {
      known[item.id] = true;
    });
    var busy = false;

    function showCount(count) {
      document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    }

    var notify = document.getElementById("atd-inbox-notify");
    if (notify && "Notification" in window && Notification.permission === "default") {
      notify.hidden = false;
      notify.addEventListener("click", function () {
        Notification.requestPermission().then(function () { notify.hidden = true; });
      });
    }
    var sound = document.getElementById("atd-inbox-sound");
    if (sound) {
      sound.checked = window.localStorage.getItem("atd-inbox-sound") === "on";
      sound.addEventListener("change", function () {
        window.localStorage.setItem("atd-inbox-sound", sound.checked ? "on" : "off");
      });
    }

    function beep() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      var context = new Context();
      var tone = context.createOscillator();
      var gain = context.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.1;
      tone.connect(gain);
      gain.connect(context.destination);
      tone.start();
      tone.stop(context.currentTime + 0.2);
    }

    function announce(items) {
      var fresh = items.filter(function (item) { return !known[item.id]; });
      known = {};
      items.forEach(function (item) { known[item.id] = true; });
      if (!fresh.length) { return; }
      if ("Notification" in window && Notification.permission === "granted") {
        fresh.slice(0, 3).forEach(function (item) {
          var title = box.getAttribute("data-text-" + item.kind) || "";
          var note = new Notification(title, { body: item.name, tag: item.id });
          note.onclick = function () { window.focus(); window.location.href = item.url; };
        });
      }
      if (sound && sound.checked) { beep(); }
    }

    function swap(html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var scroll = window.scrollY;
      var oldRows = document.querySelector("#result_list tbody");
      var newRows = fresh.querySelector("#result_list tbody");
      if (oldRows && newRows) {
        oldRows.innerHTML = newRows.innerHTML;
        var oldPages = document.querySelector("#changelist .paginator");
        var newPages = fresh.querySelector("#changelist .paginator");
        if (oldPages && newPages) { oldPages.innerHTML = newPages.innerHTML; }
      } else {
        var oldForm = document.getElementById("changelist-form");
        var newForm = fresh.getElementById("changelist-form");
        if (!oldForm || !newForm) { return false; }
        oldForm.innerHTML = newForm.innerHTML;
      }
      window.scrollTo(window.scrollX, scroll);
      return true;
    }

    function refreshList(newVersion) {
      // Rows picked for an action stay as they are until the action is done.
      if (document.querySelector("#result_list input.action-select:checked")) {
        return Promise.resolve();
      }
      return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html && swap(html)) {
            version = newVersion;
            box.setAttribute("data-version", version);
          }
        });
    }

    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Accept": "application/json", "If-None-Match": '"' + version + '"' }
      })
        .then(function (response) { return response.status === 200 ? response.json() : null; })
        .then(function (data) {
          if (!data) { return null; }
          showCount(data.unread);
          announce(data.waiting || []);
          return data.version !== version ? refreshList(data.version) : null;
        })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { busy = false; });
    }

    showCount(parseInt(box.getAttribute("data-unread"), 10) || 0);
    window.setInterval(tick, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { tick(); }
    });
  }

  // The scroll position of a list survives a reload of the same URL.
  function keepScroll() {
    var key = "atd-scroll:" + window.location.pathname + window.location.search;
    var saved = parseInt(window.sessionStorage.getItem(key), 10);
    if (saved > 0) { window.scrollTo(0, saved); }
    window.addEventListener("pagehide", function () {
      window.sessionStorage.setItem(key, String(window.scrollY));
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

  // The template picker: filter by words and language, show the chosen
  // template's variables, and preview the text the customer will read.
  function startTemplatePicker(form) {
    var search = document.getElementById("atd-template-search");
    var language = document.getElementById("atd-template-language");
    var select = document.getElementById("atd-template-select");
    var preview = document.getElementById("atd-template-preview");
    var sets = form.querySelectorAll("fieldset[data-template]");

    function filter() {
      var words = (search.value || "").toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var fits = option.getAttribute("data-search").indexOf(words) !== -1 &&
          (!language.value || option.getAttribute("data-language") === language.value);
        option.hidden = !fits;
      });
    }

    function fill(text, part, set) {
      return (text || "").replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, function (all, name) {
        var input = set.querySelector('input[data-part="' + part + '"][data-variable="' + name + '"]');
        return input && input.value ? input.value : all;
      });
    }

    function show() {
      var chosen = null;
      Array.prototype.forEach.call(sets, function (set) {
        var active = set.getAttribute("data-template") === select.value;
        set.hidden = !active;
        set.disabled = !active;
        if (active) { chosen = set; }
      });
      if (!chosen) { preview.textContent = ""; return; }
      var lines = [];
      var header = fill(chosen.getAttribute("data-header"), "header", chosen);
      if (header) { lines.push(header); }
      lines.push(fill(chosen.getAttribute("data-body"), "body", chosen));
      var footer = chosen.getAttribute("data-footer");
      if (footer) { lines.push(footer); }
      preview.textContent = lines.join("\n\n");
    }

    search.addEventListener("input", filter);
    language.addEventListener("change", filter);
    select.addEventListener("change", show);
    form.addEventListener("input", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var qr = document.getElementById("atd-qr-live");
    if (qr) { followConnection(qr); }
    var root = document.getElementById("atd-conversation");
    if (root) {
      keepAtEnd(document.getElementById("atd-timeline"));
      startPolling(root);
    }
    var inbox = document.getElementById("atd-inbox");
    if (inbox) {
      keepScroll();
      followSessionList(inbox);
    }
    var reply = document.getElementById("atd-reply-text");
    if (reply) { wireCannedResponses(reply); }
    var picker = document.getElementById("atd-template-form");
    if (picker) { startTemplatePicker(picker); }
    wireCopyButtons();
  });
})();
