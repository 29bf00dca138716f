/* Technician pages: steps and completion sent with an idempotency key and the device's time;
   kept on the phone (localStorage) while offline and sent again when the network is back. */
(function () {
  "use strict";
  var QUEUE = "field-outbox", body = document.body, flushing = false, dirty = false;
  function $(sel, root) { return (root || document).querySelector(sel); }
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function msg(name) { return body.getAttribute("data-msg-" + name) || ""; }
  function csrf() { var i = $("input[name=_csrf_token]"); return i ? i.value : ""; }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function keyOf(form) { var k = form.elements.idempotency_key; if (!k.value) k.value = newKey(); return k.value; }
  function show(el, on) { if (el) el.hidden = !on; }
  function notice(text) { var n = $("#notice"); n.textContent = text; show(n, !!text); }
  function alertMsg(text) { var a = $("#alert"); a.textContent = text; show(a, !!text); if (text) a.scrollIntoView(); }
  function load() { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function save(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); render(); }
  function hhmm(iso) { var d = new Date(iso); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }
  function render() {
    var q = load(), box = $("#outbox");
    box.textContent = q.length ? msg("pending") + " " + q.map(function (i) { return i.label + " (" + hhmm(i.body.device_at) + ")"; }).join(", ") : "";
    show(box, q.length > 0);
    show($("#net"), !navigator.onLine);
    var note = $("#offline-note"); note.textContent = navigator.onLine ? "" : msg("offline"); show(note, !navigator.onLine);
  }
  function post(url, key, data, isForm) {
    var headers = { "Accept": "application/json", "x-csrftoken": csrf() };
    if (key) headers["Idempotency-Key"] = key;
    if (!isForm) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: isForm ? data : JSON.stringify(data || {}) });
  }
  function refused(r, label) {
    return r.json().catch(function () { return {}; }).then(function (p) {
      alertMsg((label ? label + " — " : "") + msg("failed") + " " + (p.detail || r.status));
    });
  }
  /* ok | retry (no network or server trouble: keep it) | refused (4xx: drop it, say why) */
  function attempt(item) {
    return post(item.url, item.key, item.body).then(function (r) {
      if (r.ok) return "ok";
      if (r.status >= 500) return "retry";
      return refused(r, item.label).then(function () { return "refused"; });
    }, function () { return "retry"; });
  }
  function flush() {
    var q = load();
    if (!q.length || flushing || !navigator.onLine) return;
    flushing = true;
    attempt(q[0]).then(function (res) {
      flushing = false;
      if (res === "retry") return;
      save(load().slice(1));
      if (load().length) flush(); else if (res === "ok" && !dirty) location.reload();
    });
  }
  function enqueue(item, form) {
    item.body.offline = true;
    var q = load(); q.push(item); save(q);
    afterQueued(form);
  }
  function afterQueued(form) {
    if (form.getAttribute("data-kind") === "step") {
      show(form, false);
      var next = form.nextElementSibling;
      if (next && next.getAttribute("data-kind") === "step") show(next, true); else { show($("#on-site"), true); fitPad(); }
    } else {
      all("button, input, textarea", form).forEach(function (el) { el.disabled = true; });
    }
  }
  function busy(form, on) { all("button[type=submit]", form).forEach(function (b) { b.disabled = on; }); }
  function sendOrQueue(form, data) {
    var item = { url: form.getAttribute("data-api"), key: keyOf(form), body: data, label: form.getAttribute("data-label") || "" };
    if (!navigator.onLine) { enqueue(item, form); return; }
    busy(form, true);
    attempt(item).then(function (res) {
      busy(form, false);
      if (res === "ok") { dirty = false; location.reload(); } else if (res === "retry") enqueue(item, form);
    });
  }
  function now() { return new Date().toISOString(); }

  /* signature pad: pointer events (finger, pen or mouse) */
  var pad = $("#signature"), drawn = false, ctx = null;
  function fitPad() {
    if (!pad || drawn || !pad.clientWidth || pad.width === pad.clientWidth) return;
    pad.width = pad.clientWidth;
    ctx = pad.getContext("2d"); ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
  }
  if (pad) {
    show(pad.parentNode, true); fitPad();
    var last = null;
    var at = function (e) { var r = pad.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    pad.addEventListener("pointerdown", function (e) { fitPad(); last = at(e); pad.setPointerCapture(e.pointerId); e.preventDefault(); });
    pad.addEventListener("pointermove", function (e) {
      if (!last || !ctx) return;
      var p = at(e); ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
      last = p; drawn = true; dirty = true; e.preventDefault();
    });
    ["pointerup", "pointercancel"].forEach(function (t) { pad.addEventListener(t, function () { last = null; }); });
    $("[data-action=clear-signature]").addEventListener("click", function () { if (ctx) ctx.clearRect(0, 0, pad.width, pad.height); drawn = false; });
  }

  /* completion: parts rows, the customer's share, the JSON body */
  var done = $("#complete");
  function val(form, name) { var el = form.elements[name]; return el ? el.value.trim() : ""; }
  function parts(form) {
    return all(".part", form).map(function (row) {
      var i = row.getAttribute("data-row"), q = val(form, "quantity_" + i);
      return { part_no: val(form, "part_no_" + i), name: val(form, "name_" + i), quantity: q === "" ? 1 : Number(q),
        unit_price: val(form, "unit_price_" + i).replace(",", ".") || "0", in_warranty: form.elements["in_warranty_" + i].checked };
    }).filter(function (p) { return p.part_no || p.name || p.unit_price !== "0"; });
  }
  function customerPays() {
    var labour = parseFloat(val(done, "labour_fee").replace(",", ".")) || 0, sum = 0;
    parts(done).forEach(function (p) { if (!p.in_warranty) sum += (parseFloat(p.unit_price) || 0) * (p.quantity || 0); });
    if (done.getAttribute("data-in-warranty") === "false") sum += labour;
    var out = $("[data-field=customer-pays]", done);
    out.textContent = out.getAttribute("data-template").replace("{amount}", sum.toFixed(2));
    out.className = sum > 0 ? "fee warn" : "fee"; show(out, sum > 0);
  }
  if (done) {
    var add = $("[data-action=add-part]", done);
    show(add, true);
    add.addEventListener("click", function () {
      var rows = all(".part", done), copy = rows[0].cloneNode(true), n = rows.length;
      if (n >= 20) return;
      copy.setAttribute("data-row", n);
      all("input", copy).forEach(function (el) {
        el.name = el.name.replace(/_\d+$/, "_" + n);
        if (el.type === "checkbox") el.checked = el.defaultChecked; else el.value = "";
      });
      add.parentNode.insertBefore(copy, add);
    });
    done.addEventListener("input", function () { dirty = true; customerPays(); });
    done.addEventListener("submit", function (e) {
      e.preventDefault();
      var checked = $("input[name=result]:checked", done);
      sendOrQueue(done, {
        result: checked ? checked.value : "", diagnosis: val(done, "diagnosis"), fault_code: val(done, "fault_code"),
        parts: parts(done), labour_fee: val(done, "labour_fee").replace(",", ".") || "0",
        signature_png: drawn ? pad.toDataURL("image/png") : null, confirmation_code: val(done, "confirmation_code") || null,
        device_at: now()
      });
    });
  }
  all("form[data-kind=step]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      sendOrQueue(form, { step: form.elements.step.value, device_at: now() });
    });
  });
  all("form[data-kind=photo]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!navigator.onLine) { alertMsg(msg("photo-offline")); return; }
      var data = new FormData(form); data.delete("_csrf_token"); data.delete("idempotency_key");
      busy(form, true);
      post(form.getAttribute("data-api"), keyOf(form), data, true).then(function (r) {
        busy(form, false);
        if (!r.ok) return refused(r, "");
        var count = $("[data-field=photo-count]"); count.textContent = (parseInt(count.textContent, 10) || 0) + 1;
        form.reset(); form.elements.idempotency_key.value = newKey(); alertMsg(""); notice(msg("uploaded"));
      }, function () { busy(form, false); alertMsg(msg("photo-offline")); });
    });
  });
  all("form[data-kind=code]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      busy(form, true);
      post(form.getAttribute("data-api"), null, {}).then(function (r) {
        busy(form, false);
        if (!r.ok) return refused(r, "");
        alertMsg(""); notice(msg("code-sent"));
      }, function () { busy(form, false); alertMsg(msg("offline")); });
    });
  });
  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  setInterval(flush, 20000);
  render(); flush();
})();
