// Agent console: keep the conversation and an instance's pairing QR fresh
// without a reload, and copy buttons. Plain script, no build step.
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
      var timeline = document.getElementById("atd-timeline");
      scrollToEnd(timeline);
      // Images and players change the height as they load: stay at the end.
      window.addEventListener("load", function () { scrollToEnd(timeline); });
      startPolling(root);
    }
    var picker = document.getElementById("atd-template-form");
    if (picker) { startTemplatePicker(picker); }
    wireCopyButtons();
  });
})();
