// The admin UI's few behaviours. Every page works without them; they make
// selecting rows quicker and keep the progress of a batch up to date.
(function () {
  "use strict";

  // pollJSON fetches url every delay ms and hands the JSON to onData until
  // it returns true; failures back off, up to 15 s between tries.
  function pollJSON(url, delay, onData) {
    var wait = delay;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)); })
        .then(function (p) {
          wait = delay;
          if (!onData(p)) setTimeout(poll, wait);
        })
        .catch(function () {
          wait = Math.min(wait * 2, 15000);
          setTimeout(poll, wait);
        });
    }
    poll();
  }

  function initSelection() {
    var form = document.getElementById("invite-form");
    if (!form) return;
    var pageBox = document.getElementById("select-page");
    var allBox = document.getElementById("all-matching");
    var counter = document.getElementById("selected-count");
    var rows = function () { return form.querySelectorAll('input[name="user_id"]'); };

    function update() {
      var boxes = rows(), n = 0;
      for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) n++;
      if (pageBox) {
        pageBox.checked = boxes.length > 0 && n === boxes.length;
        pageBox.indeterminate = n > 0 && n < boxes.length;
      }
      if (counter && !allBox.checked) {
        counter.textContent = n > 0 ? counter.dataset.template.replace("%d", n) : "";
      } else if (counter) {
        counter.textContent = "";
      }
      for (var j = 0; j < boxes.length; j++) boxes[j].disabled = allBox.checked;
      if (pageBox) pageBox.disabled = allBox.checked;
    }

    if (pageBox) {
      pageBox.addEventListener("change", function () {
        var boxes = rows();
        for (var i = 0; i < boxes.length; i++) boxes[i].checked = pageBox.checked;
        update();
      });
    }
    form.addEventListener("change", function (e) {
      if (e.target !== pageBox) update();
    });
    form.addEventListener("submit", function (e) {
      var any = allBox.checked;
      var boxes = rows();
      for (var i = 0; i < boxes.length && !any; i++) any = boxes[i].checked;
      if (!any) {
        e.preventDefault();
        counter.textContent = counter.dataset.empty;
      }
    });
    update();
  }

  function initProgress() {
    var panel = document.getElementById("batch-progress");
    if (!panel) return;
    var bar = document.getElementById("batch-bar");

    // The bar runs over what was queued, from 0; refusals made at request
    // time and users left alone are said apart, never as failures.
    function show(p) {
      var total = Math.max(p.total, 1);
      bar.max = total;
      bar.value = p.total - p.waiting;
      bar.textContent = Math.round((100 * (p.total - p.waiting)) / total) + "%";
      var counts = { total: p.total, waiting: p.waiting, invited: p.invited, failed: p.failed,
        refused: p.refused, left: p.skipped + p.admins };
      Object.keys(counts).forEach(function (k) {
        var el = panel.querySelector('[data-count="' + k + '"]');
        if (el) el.textContent = String(counts[k]);
      });
      panel.querySelector('[data-when="refused"]').hidden = !(p.refused > 0);
      panel.querySelector('[data-when="left"]').hidden = !(counts.left > 0);
      if (p.done) {
        var end = document.getElementById("batch-end");
        var text = end.querySelector("[data-end-text]");
        text.textContent = text.dataset.template.replace("%d", p.invited).replace("%d", p.total);
        document.getElementById("batch-failed-link").hidden = !(p.failed > 0);
        end.hidden = false;
        panel.querySelector("[data-state]").hidden = true;
        refreshTable().then(function () { panel.classList.add("done"); });
      }
    }

    // refreshTable swaps in the rows and the status counts as they are now,
    // from a fresh copy of this page, so the statuses the batch changed show
    // without a reload. Ticked boxes are lost only on rows that changed.
    function refreshTable() {
      return fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          ["table.users tbody", "ul.facets"].forEach(function (sel) {
            var now = document.querySelector(sel), next = fresh.querySelector(sel);
            if (now && next) now.replaceWith(document.adoptNode(next));
          });
        })
        .catch(function () { /* the counts above are still right */ });
    }

    pollJSON(panel.dataset.batchUrl, 1000, function (p) {
      show(p);
      return p.done;
    });
  }

  // initImportProgress follows a running import, then reloads the page,
  // which then shows the report.
  function initImportProgress() {
    var panel = document.getElementById("import-progress");
    if (!panel) return;
    var bar = document.getElementById("import-bar");
    pollJSON(panel.dataset.progressUrl, 500, function (p) {
      if (p.done) {
        location.reload();
        return true;
      }
      if (p.bytes_total > 0) { bar.max = p.bytes_total; bar.value = p.bytes_read; }
      panel.querySelector("[data-rows]").textContent = String(p.rows_read);
      return false;
    });
  }

  // initSendAgain keeps the confirmation's counts, refusals, links and Send
  // button in step with the "Also send again to the already invited" box:
  // the server renders both states (data-with / data-without texts,
  // data-show-* visibility, data-href-* links).
  function initSendAgain() {
    var box = document.getElementById("send-again");
    if (!box) return;
    var send = document.getElementById("confirm-send");
    var texts = document.querySelectorAll("#confirm-summary, #confirm-split [data-with], #confirm-kept, #confirm-refusals [data-with]");
    var shown = document.querySelectorAll("[data-show-with]");
    var links = document.querySelectorAll("#confirm-refusals [data-href-with]");
    function update() {
      var key = box.checked ? "with" : "without";
      var Key = box.checked ? "With" : "Without";
      send.disabled = Number(send.dataset[key]) === 0;
      var i;
      for (i = 0; i < texts.length; i++) texts[i].textContent = texts[i].dataset[key];
      for (i = 0; i < shown.length; i++) shown[i].hidden = shown[i].dataset["show" + Key] !== "1";
      for (i = 0; i < links.length; i++) links[i].href = links[i].dataset["href" + Key];
    }
    box.addEventListener("change", update);
    update();
  }

  // rememberZone tells the server the viewer's time zone, so that dates
  // show in local time from the next page on.
  function rememberZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    if (!zone || zone.length > 64) return;
    var current = document.cookie.split("; ").filter(function (c) { return c.indexOf("inviter_tz=") === 0; })[0];
    if (current === "inviter_tz=" + encodeURIComponent(zone)) return;
    document.cookie = "inviter_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }

  // initShowPassword makes the "Show" button reveal the fields it names,
  // and hide them again.
  function initShowPassword() {
    var buttons = document.querySelectorAll("[data-show-password]");
    Array.prototype.forEach.call(buttons, function (btn) {
      var fields = btn.dataset.showPassword.split(" ").map(function (id) { return document.getElementById(id); })
        .filter(function (f) { return f; });
      var showText = btn.textContent;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var show = btn.getAttribute("aria-pressed") !== "true";
        fields.forEach(function (f) { f.type = show ? "text" : "password"; });
        btn.setAttribute("aria-pressed", show ? "true" : "false");
        btn.textContent = show ? btn.dataset.hideText : showText;
      });
    });
  }

  // initAddUser moves the focus into the Add user form when it opens.
  function initAddUser() {
    var box = document.getElementById("add-user");
    if (!box) return;
    box.addEventListener("toggle", function () {
      if (box.open && !document.getElementById("add-user-error")) {
        var first = document.getElementById("new-login");
        if (first) first.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    rememberZone();
    initShowPassword();
    initAddUser();
    initSendAgain();
    initSelection();
    initProgress();
    initImportProgress();
  });
})();
