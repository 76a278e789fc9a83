// kyso app: the page over the local API (see src/cli/app/mod.rs). No framework, no CDN.
// The PIN is never asked here: the server asks through pinentry, outside the browser.
"use strict";

let T = {};
let files = [];
let certs = [];
let chosen = null;
// The stamp in PDF points, from the lower-left corner of the page as shown.
let stamp = { page: "first", x: 340, y: 40, w: 220, h: 70 };
let preview = null; // { path, page, width, height } in points (pixels at 72 dpi)
let running = null; // { job, total, done }
let stampImage = null; // the stamp's image (an <img> once loaded), or null
let outDir = null; // where outputs go; null: next to each original
let browsing = null; // the folder shown in the chooser
const rows = new Map(); // path → <tr>

const $ = (id) => document.getElementById(id);

async function api(path, options) {
  const r = await fetch(path, options);
  if (!r.ok) throw new Error(await r.text());
  return r.json();
}

function post(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function size(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1048576) return (bytes / 1024).toFixed(0) + " KB";
  return (bytes / 1048576).toFixed(1) + " MB";
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

// ---- documents ---------------------------------------------------------------------------

function stateOf(f) {
  if (f.problem) return [f.problem, "problem"];
  if (f.signers.length) return [T["signed-by"] + " " + f.signers.join(", "), "signed"];
  return [T["unsigned"], ""];
}

let filesAsked = 0; // the last look at the documents asked for

async function showFiles() {
  const asked = ++filesAsked;
  const list = await api("/api/files");
  if (asked !== filesAsked) return; // a later look is on its way
  files = list;
  const body = $("files").querySelector("tbody");
  body.replaceChildren();
  rows.clear();
  for (const f of files) {
    const tr = document.createElement("tr");
    tr.dataset.path = f.path;
    tr.appendChild(el("td", "", f.name));
    tr.appendChild(el("td", "num", f.problem ? "" : size(f.size)));
    tr.appendChild(el("td", "num", f.pages == null ? "" : String(f.pages)));
    const [text, cls] = stateOf(f);
    tr.appendChild(el("td", "state " + cls, text));
    body.appendChild(tr);
    rows.set(f.path, tr);
  }
  $("files").hidden = files.length === 0;
  $("files-empty").hidden = files.length !== 0;
  const first = files.find((f) => f.kind === "pdf" && !f.problem);
  if (first && (!preview || !files.some((f) => f.path === preview.path))) {
    showPreview(first.path, 1);
  }
  updateSign();
}

function setRow(path, text, cls) {
  const tr = rows.get(path);
  if (!tr) return;
  const td = tr.querySelector("td.state");
  td.textContent = text;
  td.className = "state " + (cls || "");
}

async function upload(fileList) {
  $("error").textContent = "";
  for (const file of fileList) {
    const r = await fetch("/api/upload?name=" + encodeURIComponent(file.name), {
      method: "POST",
      body: file,
    });
    if (!r.ok) $("error").textContent = file.name + ": " + (await r.text());
  }
  await showFiles();
}

// Files and folders dropped (folders read recursively).
async function dropped(items) {
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      out.push(await new Promise((ok, ko) => entry.file(ok, ko)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((ok, ko) => reader.readEntries(ok, ko));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  // the browser empties the drop's data once the handler yields: take every item first
  const taken = items.map((i) => (i.webkitGetAsEntry && i.webkitGetAsEntry()) || i.getAsFile());
  for (const t of taken) {
    if (t instanceof File) out.push(t);
    else if (t) await walk(t);
  }
  return out;
}

function dropZone(zone, take) {
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    take(await dropped([...e.dataTransfer.items]));
  });
}

// ---- certificates ------------------------------------------------------------------------

function vnDate(iso) {
  const d = new Date(iso);
  return d.toLocaleDateString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
}

let certsAsked = 0; // the last look at the certificates asked for

async function showCerts() {
  // events come in bursts (each remote account answers on its own): only the answer to the
  // last look is shown, never an older one that arrived late
  const asked = ++certsAsked;
  const all = await api("/api/certs");
  if (asked !== certsAsked) return;
  // remote accounts that show no certificate now: a row saying why, with "try again"
  const problems = all.filter((c) => c.error);
  certs = all.filter((c) => !c.error);
  const box = $("certs");
  box.replaceChildren();
  if (chosen && !certs.some((c) => c.id === chosen && c.validity === "valid")) chosen = null;
  const usable = certs.filter((c) => c.validity === "valid");
  if (!chosen && usable.length === 1) chosen = usable[0].id;
  for (const c of certs) {
    const ok = c.validity === "valid";
    const label = el("label", "cert" + (ok ? "" : " unusable") + (c.id === chosen ? " chosen" : ""));
    const radio = el("input");
    radio.type = "radio";
    radio.name = "cert";
    radio.value = c.id;
    radio.disabled = !ok;
    radio.checked = c.id === chosen;
    radio.addEventListener("change", () => {
      chosen = c.id;
      // Sign at once, not after the list is fetched again
      updateSign();
      showCerts();
    });
    label.appendChild(radio);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(el("span", "who", c.holder));
    const ids = Object.entries(c.identity)
      .filter(([k]) => k !== "entries")
      .map(([k, v]) => k.toUpperCase() + " " + v)
      .join(", ");
    const validity =
      c.validity === "expired"
        ? T["cert-expired"] + " " + vnDate(c.not_after)
        : c.validity === "not yet valid"
          ? T["cert-not-yet-valid"] + " " + vnDate(c.not_before)
          : T["cert-valid-until"] + " " + vnDate(c.not_after);
    label.appendChild(el("div", "meta", [ids, T["issuer"] + " " + c.issuer].filter(Boolean).join(" · ")));
    const where = c.remote ? T["remote"] + " · " + c.remote : c.token;
    label.appendChild(el("div", "meta" + (ok ? "" : " problem"), validity + " · " + where));
    box.appendChild(label);
  }
  for (const p of problems) {
    const row = el("div", "cert account-problem");
    row.appendChild(el("span", "who", T["remote"] + " · " + p.remote));
    row.appendChild(el("div", "meta problem", p.error));
    if (p.code !== "loading") {
      const retry = el("button", "", T["remote-retry"]);
      retry.type = "button";
      retry.addEventListener("click", () => post("/api/certs/refresh", {}));
      row.appendChild(retry);
    }
    box.appendChild(row);
  }
  $("certs-empty").hidden = all.length !== 0;
  drawStamp();
  updateSign();
}

// ---- the stamp ---------------------------------------------------------------------------

function showPreview(path, page) {
  const img = $("page-image");
  img.onload = () => {
    preview = { path, page, width: img.naturalWidth, height: img.naturalHeight };
    img.hidden = false;
    $("no-preview").hidden = true;
    clampStamp();
    drawStamp();
  };
  img.src = "/api/preview?path=" + encodeURIComponent(path) + "&page=" + page;
}

function clampStamp() {
  if (!preview) return;
  stamp.w = Math.min(stamp.w, preview.width);
  stamp.h = Math.min(stamp.h, preview.height);
  stamp.x = Math.round(Math.max(0, Math.min(stamp.x, preview.width - stamp.w)));
  stamp.y = Math.round(Math.max(0, Math.min(stamp.y, preview.height - stamp.h)));
}

function drawStamp() {
  const box = $("stamp-box");
  const visible = $("stamp-visible").checked;
  $("stamp-options").hidden = !visible;
  if (!preview || !visible) {
    box.hidden = true;
    return;
  }
  const img = $("page-image");
  const k = img.clientWidth / preview.width;
  box.hidden = false;
  box.style.left = stamp.x * k + "px";
  box.style.top = (preview.height - stamp.y - stamp.h) * k + "px";
  box.style.width = stamp.w * k + "px";
  box.style.height = stamp.h * k + "px";
  // three or four lines filling the box, as on the signed page
  box.style.fontSize = Math.max(5, (stamp.h * k) / 4.6) + "px";
  const c = certs.find((c) => c.id === chosen);
  const lines = el("div", "lines");
  lines.replaceChildren(...(c ? c.stamp : [T["stamp"]]).map((l) => el("div", "", l)));
  box.replaceChildren(lines);
  if (stampImage) {
    // as the signature draws it: 4 points of margin, at most 40 % of the width
    let ih = Math.max(1, stamp.h - 8);
    let iw = Math.min((ih * stampImage.naturalWidth) / stampImage.naturalHeight, stamp.w * 0.4);
    ih = (iw * stampImage.naturalHeight) / stampImage.naturalWidth;
    const pic = el("img", "stamp-image");
    pic.src = stampImage.src;
    pic.alt = "";
    pic.style.width = iw * k + "px";
    pic.style.height = ih * k + "px";
    box.prepend(pic);
  }
  box.setAttribute("aria-label", T["stamp"] + ": x " + stamp.x + ", y " + stamp.y);
  box.setAttribute("aria-valuetext", "x " + stamp.x + ", y " + stamp.y);
}

function saveStamp() {
  post("/api/stamp", stamp).catch(() => {});
}

function stampDragging() {
  const box = $("stamp-box");
  let from = null;
  box.addEventListener("pointerdown", (e) => {
    // no text selection or native drag: they would cancel the pointer
    e.preventDefault();
    box.focus();
    box.setPointerCapture(e.pointerId);
    from = { px: e.clientX, py: e.clientY, x: stamp.x, y: stamp.y };
  });
  const move = (e) => {
    if (!from) return;
    const k = $("page-image").clientWidth / preview.width;
    stamp.x = from.x + (e.clientX - from.px) / k;
    stamp.y = from.y - (e.clientY - from.py) / k;
    clampStamp();
    drawStamp();
  };
  box.addEventListener("pointermove", move);
  // the last move may come with the release (moves are delivered once a frame)
  const end = (e) => {
    if (!from) return;
    if (e.type === "pointerup") move(e);
    saveStamp();
    from = null;
  };
  box.addEventListener("pointerup", end);
  box.addEventListener("pointercancel", end);
  box.addEventListener("keydown", (e) => {
    const step = e.shiftKey ? 20 : 5;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    stamp.x += m[0];
    stamp.y += m[1];
    clampStamp();
    drawStamp();
    saveStamp();
  });
}

function pageChoice() {
  const mode = $("stamp-page").value;
  $("stamp-page-no").hidden = mode !== "this";
  stamp.page = mode === "this" ? String($("stamp-page-no").value || 1) : mode;
  if (preview) {
    const f = files.find((f) => f.path === preview.path);
    const n = mode === "this" ? Number($("stamp-page-no").value || 1) : mode === "last" && f ? f.pages : 1;
    if (n !== preview.page) showPreview(preview.path, Math.max(1, n));
  }
  saveStamp();
}

// ---- signing -----------------------------------------------------------------------------

function signable() {
  return files.filter((f) => !f.problem);
}

function updateSign() {
  const n = signable().length;
  const b = $("sign");
  b.textContent = T["sign"] + (n ? " (" + n + ")" : "");
  b.disabled = !!running || !chosen || n === 0;
}

async function sign() {
  $("error").textContent = "";
  $("summary").textContent = "";
  const docs = signable();
  const body = {
    cert: chosen,
    files: docs.map((f) => f.path),
    stamp: $("stamp-visible").checked ? Object.assign({}, stamp, { image: !!stampImage }) : null,
    out_dir: outDir,
  };
  for (const f of docs) setRow(f.path, T["waiting"], "");
  const r = await post("/api/sign", body);
  running = { job: r.job, total: docs.length, done: 0, left: new Set(docs.map((f) => f.path)) };
  $("progress").hidden = false;
  $("progress").max = docs.length;
  $("progress").value = 0;
  $("cancel").hidden = false;
  updateSign();
}

function openButton(output) {
  const b = el("button", "", T["open-folder"]);
  b.type = "button";
  b.addEventListener("click", () => post("/api/open", { path: output }));
  return b;
}

function onEvent(e) {
  if (e.type === "certs") {
    showCerts();
    return;
  }
  if (e.type === "files") {
    if (!running) showFiles();
    return;
  }
  if (!running || e.job !== running.job) return;
  switch (e.type) {
    case "pin":
    case "otp":
    case "approve":
      $("pin-note").textContent =
        e.type === "otp" ? T["otp-wait"] : e.type === "approve" ? T["approve-wait"] : T["pin-wait"];
      $("pin-note").hidden = false;
      break;
    case "signing-started":
      $("pin-note").hidden = true;
      break;
    case "signing":
      setRow(e.path, T["signing"], "");
      break;
    case "signed": {
      running.done++;
      running.left.delete(e.path);
      $("progress").value = running.done;
      setRow(e.path, T["signed"], "signed");
      const td = rows.get(e.path) && rows.get(e.path).querySelector("td.state");
      if (td) {
        td.title = e.output;
        td.appendChild(document.createTextNode(" "));
        td.appendChild(openButton(e.output));
      }
      break;
    }
    case "failed":
      running.done++;
      running.left.delete(e.path);
      $("progress").value = running.done;
      setRow(e.path, T["failed"] + ": " + e.error, "problem");
      break;
    case "stopped":
      $("error").textContent = e.reason;
      break;
    case "cancelled":
      $("summary").textContent = T["cancelled"];
      break;
    case "finished":
      finishKeepRows(
        T["done"] + " " + e.signed + " " + T["signed-count"] + ", " + e.failed + " " + T["failed-count"] +
          (e.pending ? ", " + e.pending + " " + T["pending-count"] : ""),
      );
      break;
    case "error":
      // kyso restarted (a token that stopped answering): the rows not done were not signed
      if (e.code === "restarted") for (const p of running.left) setRow(p, T["failed"], "problem");
      finishKeepRows(e.message, true);
      break;
  }
}

// The end of a batch: the rows keep what happened to each document.
function finishKeepRows(text, isError) {
  running = null;
  $("pin-note").hidden = true;
  $("cancel").hidden = true;
  if (isError) $("error").textContent = text;
  else $("summary").textContent = text;
  document.body.dataset.finished = String(Number(document.body.dataset.finished || 0) + 1);
  updateSign();
}

function live() {
  let from = 0;
  const connect = () => {
    const ws = new WebSocket("ws://" + location.host + "/api/live?from=" + from);
    ws.onmessage = (m) => {
      from++;
      onEvent(JSON.parse(m.data));
    };
    ws.onclose = () => setTimeout(connect, 1000);
  };
  // events before this page was opened are history: start from the end
  api("/api/events/count")
    .then((c) => (from = c.count))
    .finally(connect);
}

// ---- the stamp's image --------------------------------------------------------------------

// Shows the image kept for the stamp, if there is one.
function loadStampImage() {
  const img = new Image();
  img.onload = () => {
    stampImage = img;
    $("stamp-image-remove").hidden = false;
    drawStamp();
  };
  img.onerror = () => {
    stampImage = null;
    $("stamp-image-remove").hidden = true;
    drawStamp();
  };
  img.src = "/api/stamp-image?t=" + Date.now();
}

function stampImageChoice() {
  $("pick-stamp-image").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    e.target.value = "";
    if (!f) return;
    $("stamp-image-error").textContent = "";
    const r = await fetch("/api/stamp-image", { method: "POST", body: f });
    if (r.ok) loadStampImage();
    else $("stamp-image-error").textContent = await r.text();
  });
  $("stamp-image-remove").addEventListener("click", async () => {
    await post("/api/stamp-image/remove", {});
    loadStampImage();
  });
}

// ---- where outputs go --------------------------------------------------------------------

function showOutDir() {
  $("out-dir").textContent = outDir || T["out-beside"];
  $("out-reset").hidden = !outDir;
}

// The choice, shown and remembered for next time.
function setOutDir(dir) {
  outDir = dir;
  showOutDir();
  post("/api/out-dir", { dir: outDir }).catch(() => {});
}

// Shows folder `path` (or where the chooser opens) in the chooser.
async function browse(path, made) {
  $("folders-error").textContent = "";
  try {
    const l = made || (await api("/api/folders" + (path ? "?path=" + encodeURIComponent(path) : "")));
    browsing = l;
    $("folders-path").textContent = l.path;
    $("folders-up").disabled = !l.parent;
    const list = $("folders-list");
    list.replaceChildren();
    for (const f of l.folders) {
      const b = el("button", "folder", f.name);
      b.type = "button";
      b.addEventListener("click", () => browse(f.path));
      const li = el("li");
      li.appendChild(b);
      list.appendChild(li);
    }
    if (!l.folders.length) list.appendChild(el("li", "hint", T["folders-none"]));
  } catch (e) {
    $("folders-error").textContent = e.message;
  }
}

function folderChooser() {
  $("out-choose").addEventListener("click", () => {
    $("folders").showModal();
    browse(outDir);
  });
  $("out-reset").addEventListener("click", () => setOutDir(null));
  $("folders-up").addEventListener("click", () => browsing && browsing.parent && browse(browsing.parent));
  $("folders-new").addEventListener("click", async () => {
    const name = $("folders-new-name").value;
    if (!browsing || !name.trim()) return;
    try {
      browse(null, await post("/api/folders", { path: browsing.path, name }));
      $("folders-new-name").value = "";
    } catch (e) {
      $("folders-error").textContent = e.message;
    }
  });
  $("folders-use").addEventListener("click", () => {
    $("folders").close();
    if (browsing) setOutDir(browsing.path);
  });
  $("folders-cancel").addEventListener("click", () => $("folders").close());
}

// ---- verify ------------------------------------------------------------------------------

function verdict(r) {
  if (r.status === "error") return [T["v-error"] + (r.error ? ": " + r.error : ""), ""];
  if (r.revocation && r.revocation.status === "revoked") return [T["v-revoked"], ""];
  if (r.status === "valid") return [T["v-valid"], "valid"];
  const modified =
    (r.signature && r.signature.content_unmodified === false) ||
    (r.later_changes && r.later_changes !== "signing" && r.later_changes.kind !== "signing");
  if (r.status === "invalid" && modified) return [T["v-modified"], ""];
  if (r.status === "untrusted") return [T["v-untrusted"], ""];
  return [T["v-invalid"] + (r.error ? ": " + r.error : ""), ""];
}

async function verifyFiles(list) {
  const out = $("verify-results");
  // a file and its .p7s dropped together: the file first (the signature needs it), then
  // only the signature's report
  const names = new Set(list.map((f) => f.name));
  list = [...list].sort((a, b) => a.name.endsWith(".p7s") - b.name.endsWith(".p7s"));
  for (const file of list) {
    if (names.has(file.name + ".p7s")) {
      await fetch("/api/verify?name=" + encodeURIComponent(file.name), { method: "POST", body: file });
      continue;
    }
    const box = el("div", "verify-file");
    box.appendChild(el("h3", "", file.name));
    out.prepend(box);
    const r = await fetch("/api/verify?name=" + encodeURIComponent(file.name), { method: "POST", body: file });
    const reports = await r.json();
    if (reports.error) {
      box.appendChild(el("p", "problem", reports.error));
      continue;
    }
    if (!reports.length) box.appendChild(el("p", "", T["v-none"]));
    for (const rep of reports) {
      const [text, cls] = verdict(rep);
      const p = el("p");
      p.appendChild(el("span", "verdict " + cls, text));
      const s = rep.signature || {};
      const who = s.signer ? s.signer.common_name || s.signer.subject : "";
      const when = s.signing_time ? new Date(s.signing_time).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" }) : "";
      const lines = [];
      if (who) lines.push(T["signer"] + ": " + who);
      if (when) lines.push(T["time"] + ": " + when);
      lines.push(s.timestamp ? T["timestamped"] : T["not-timestamped"]);
      for (const l of lines) p.appendChild(el("div", "meta", l));
      box.appendChild(p);
    }
  }
  document.body.dataset.verified = String(Number(document.body.dataset.verified || 0) + list.length);
}

// ---- the page ----------------------------------------------------------------------------

function tabs() {
  const pairs = [["tab-sign", "view-sign"], ["tab-verify", "view-verify"]];
  for (const [tab, view] of pairs) {
    $(tab).addEventListener("click", () => {
      for (const [t, v] of pairs) {
        $(t).setAttribute("aria-selected", String(t === tab));
        $(v).hidden = v !== view;
      }
    });
  }
}

async function main() {
  T = await api("/api/texts");
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = T[e.dataset.t] || "";
  tabs();
  const saved = await api("/api/stamp").catch(() => null);
  if (saved && typeof saved.x === "number") stamp = saved;
  if (["first", "last", "all"].includes(stamp.page)) $("stamp-page").value = stamp.page;
  else {
    $("stamp-page").value = "this";
    $("stamp-page-no").value = stamp.page;
    $("stamp-page-no").hidden = false;
  }
  $("pick-files").addEventListener("change", (e) => upload([...e.target.files]));
  $("pick-folder").addEventListener("change", (e) => upload([...e.target.files]));
  dropZone($("drop-files"), upload);
  $("pick-verify").addEventListener("change", (e) => verifyFiles([...e.target.files]));
  dropZone($("drop-verify"), verifyFiles);
  $("stamp-visible").addEventListener("change", drawStamp);
  $("stamp-page").addEventListener("change", pageChoice);
  $("stamp-page-no").addEventListener("change", pageChoice);
  window.addEventListener("resize", drawStamp);
  stampDragging();
  folderChooser();
  stampImageChoice();
  loadStampImage();
  const remembered = await api("/api/out-dir").catch(() => null);
  outDir = (remembered && remembered.dir) || null;
  showOutDir();
  $("sign").addEventListener("click", () => sign().catch((e) => ($("error").textContent = e.message)));
  $("cancel").addEventListener("click", () => post("/api/cancel", {}));
  await Promise.all([showFiles(), showCerts()]);
  live();
  document.body.dataset.ready = "1";
}

main();
