/* Kerro web chat: the same form posts as without JavaScript, answered in place.
   The server answers every post with a whole page; this takes the new turn from it. */
(function () {
  "use strict";

  var busy = false;
  var idleTimer = null;

  function kiosk() { return document.body.classList.contains("kiosk"); }

  function armIdle() {
    var seconds = parseInt(document.body.getAttribute("data-idle") || "0", 10);
    var reset = document.body.getAttribute("data-reset");
    if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
    if (!seconds || !reset) { return; }
    idleTimer = setTimeout(function () {
      // A fresh page for the next person: a new session, nothing of this one kept.
      document.querySelectorAll("form").forEach(function (form) { form.reset(); });
      window.location.replace(reset);
    }, seconds * 1000);
  }

  function settle(form) {
    // An answered question stays readable, as text, without its buttons.
    var legend = form.querySelector("legend");
    var text = document.createElement("div");
    text.className = "msg bot asked";
    var p = document.createElement("p");
    p.textContent = legend ? legend.textContent : "";
    text.appendChild(p);
    form.replaceWith(text);
  }

  function adopt(doc, ok) {
    var newLog = doc.getElementById("log");
    var log = document.getElementById("log");
    document.documentElement.lang = doc.documentElement.lang;
    document.title = doc.title;
    document.body.className = doc.body.className;
    ["data-idle", "data-reset"].forEach(function (name) {
      var value = doc.body.getAttribute(name);
      if (value === null) { document.body.removeAttribute(name); }
      else { document.body.setAttribute(name, value); }
    });
    var header = document.querySelector("header.top");
    var newHeader = doc.querySelector("header.top");
    if (header && newHeader) { header.replaceWith(document.importNode(newHeader, true)); }
    var footer = document.querySelector("footer.bottom");
    var newFooter = doc.querySelector("footer.bottom");
    if (footer && newFooter) { footer.replaceWith(document.importNode(newFooter, true)); }
    var target;
    if (ok && log && newLog && !kiosk()) {
      var turns = newLog.querySelectorAll(".turn");
      if (turns.length && turns[0].hasAttribute("data-start")) {
        // A start screen again (another language): nothing to keep above it.
        log.replaceChildren();
      } else {
        log.querySelectorAll("form.question").forEach(settle);
        // An earlier "more places to get help" button goes; its help stays readable.
        log.querySelectorAll("form.more-help").forEach(function (form) { form.remove(); });
      }
      turns.forEach(function (turn) {
        // Each turn keeps its own lang attribute, so the history is read in its language.
        target = document.importNode(turn, true);
        log.appendChild(target);
      });
    } else {
      var main = document.getElementById("main");
      var newMain = doc.getElementById("main");
      main.replaceWith(document.importNode(newMain, true));
      target = document.querySelector("#main .turn") || document.getElementById("main");
    }
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
    }
    armIdle();
  }

  function submit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-kerro")) { return; }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { data.append(name, String(value)); });
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    form.setAttribute("aria-busy", "true");
    if (kiosk()) { form.reset(); }
    // Not form.action: a field named "action" shadows it.
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (!doc.getElementById("main")) { throw new Error("not a Kerro page"); }
        adopt(doc, response.ok);
      });
    }).catch(function () {
      // The network failed: the plain form post still works.
      busy = false;
      form.removeAttribute("data-kerro");
      buttons.forEach(function (button) { button.disabled = false; });
      if (submitter && submitter.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = submitter.name; hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      form.submit();
    }).then(function () { busy = false; });
  }

  document.addEventListener("submit", submit);
  ["pointerdown", "keydown", "input"].forEach(function (type) {
    document.addEventListener(type, armIdle, { passive: true });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && kiosk()) { window.location.replace(document.body.getAttribute("data-reset")); }
  });
  armIdle();
}());
