// kyso app: the page over the local API (see src/cli/app/mod.rs). No framework, no CDN.
"use strict";

let T = {};

async function api(path, options) {
  const r = await fetch(path, options);
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

function size(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KB";
  return (bytes / 1048576).toFixed(1) + " MB";
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

async function showFiles() {
  const files = await api("/api/files");
  const table = document.getElementById("files");
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const f of files) {
    const tr = document.createElement("tr");
    tr.dataset.path = f.path;
    cell(tr, f.name);
    cell(tr, f.problem ? "" : size(f.size), "num");
    cell(tr, f.pages == null ? "" : String(f.pages), "num");
    if (f.problem) cell(tr, f.problem, "problem");
    else if (f.signers.length) cell(tr, T["signed-by"] + " " + f.signers.join(", "), "signed");
    else cell(tr, T["unsigned"]);
    body.appendChild(tr);
  }
  table.hidden = files.length === 0;
  document.getElementById("files-empty").hidden = files.length !== 0;
}

async function main() {
  T = await api("/api/texts");
  for (const el of document.querySelectorAll("[data-t]")) {
    el.textContent = T[el.dataset.t] || "";
  }
  await showFiles();
  document.body.dataset.ready = "1";
}

main();
