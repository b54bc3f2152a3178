// Agent console: keep the conversation and an instance's pairing QR fresh
// without a reload, and copy buttons. Plain script, no build step.
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
      keepAtEnd(document.getElementById("atd-timeline"));
      startPolling(root);
    }
    wireCopyButtons();
  });
})();
