// 四不两直现场检查 (regulator/inspections/on_site.py): the inspector's phone page. Nothing reaches the
// server until the inspector sends it; what they record stays on the phone (IndexedDB) until the server
// kept it, under keys made here once (crypto.randomUUID), so a photo or an inspection sent again after a
// lost answer or a reload is kept once by the server. The plans come from the last connection
// (localStorage); the page's files from its service worker (/ui/inspect-sw.js) when there is none.
"use strict";

const API = "/ui/api/inspections";
const RESULTS = [["pass", "符合"], ["fail", "不符合"], ["na", "不涉及"]];
const MAX_SIDE = 2560; // a photo larger than this is scaled down before it is kept (a poor connection)
const MAX_BYTES = 2_500_000; // the server takes 3 MB; a larger photo is re-encoded
const RETRY_MS = 15_000;
const $ = (id) => document.getElementById(id);

// ---- IndexedDB: photos (Blob and where/when), visits (to send, then sent), the draft being filled in
function database() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("sitegw-inspect", 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore("photos", { keyPath: "key" });
      db.createObjectStore("visits", { keyPath: "key" });
      db.createObjectStore("draft");
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}
const dbReady = database();

async function store(name, mode, act) {
  const db = await dbReady;
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const request = act(tx.objectStore(name));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}
const put = (name, value, key) => store(name, "readwrite", (s) => s.put(value, key));
const get = (name, key) => store(name, "readonly", (s) => s.get(key));
const all = (name) => store(name, "readonly", (s) => s.getAll());

// ---- the plans, from the server when it answers, else as last kept
let plans = [];
let draft = null; // {plan, project, results: {pos: {result, note, photos: [keys]}}, extra: {...}, note}

async function loadPlans() {
  try {
    const r = await fetch(`${API}/on-site`, { credentials: "same-origin" });
    if (r.status === 401) {
      say("请先登录（登录后返回本页）", true, "/");
    } else if (r.ok) {
      plans = await r.json();
      localStorage.setItem("inspect.plans", JSON.stringify(plans));
    }
  } catch (e) {
    // no connection: the plans kept last time
  }
  if (!plans.length) plans = JSON.parse(localStorage.getItem("inspect.plans") || "[]");
}

function say(text, warn, link) {
  const p = $("message");
  p.textContent = text;
  p.className = warn ? "warn" : "meta";
  if (link) {
    const a = document.createElement("a");
    a.href = link;
    a.textContent = " 去登录";
    p.append(a);
  }
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.append(o);
}

function currentPlan() {
  return plans.find((p) => String(p.id) === $("plan").value);
}

function fillPlans() {
  $("plan").replaceChildren();
  for (const p of plans) option($("plan"), p.id, `${p.title}（${p.theme_name || p.kind_name}）`);
  if (draft && plans.some((p) => p.id === draft.plan)) $("plan").value = String(draft.plan);
  fillProjects();
}

function fillProjects() {
  const plan = currentPlan();
  $("project").replaceChildren();
  for (const t of plan ? plan.targets : []) option($("project"), t.project, `${t.name}（${t.state_name}）`);
  if (draft && draft.plan === plan?.id) $("project").value = draft.project;
  else newDraft();
  fillItems();
}

function newDraft() {
  const plan = currentPlan();
  draft = { key: crypto.randomUUID(), plan: plan?.id, project: $("project").value, results: {}, extra: { photos: [] }, note: "" };
  saveDraft();
}

function saveDraft() {
  return put("draft", draft, "current");
}

// ---- the checklist: each item passed, failed or not applicable, with a note and photos
function fillItems() {
  const plan = currentPlan();
  const list = $("items");
  list.replaceChildren();
  (plan ? plan.checklist : []).forEach((item, pos) => list.append(itemBlock(pos, item.text, item.article)));
  list.append(extraBlock());
  $("note").value = draft.note || "";
}

function itemBlock(pos, text, article) {
  const state = draft.results[pos] || (draft.results[pos] = { result: "", note: "", photos: [] });
  const li = document.createElement("li");
  li.className = "item" + (state.result === "fail" ? " fail" : "");
  li.dataset.pos = pos;
  const title = document.createElement("div");
  title.textContent = `${pos + 1}. ${text}`;
  const cite = document.createElement("div");
  cite.className = "article";
  cite.textContent = article;
  const choices = document.createElement("div");
  choices.className = "choices";
  for (const [value, name] of RESULTS) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = value;
    b.textContent = name;
    b.setAttribute("aria-pressed", String(state.result === value));
    b.onclick = () => {
      state.result = value;
      li.className = "item" + (value === "fail" ? " fail" : "");
      for (const other of choices.children) other.setAttribute("aria-pressed", String(other === b));
      saveDraft();
    };
    choices.append(b);
  }
  li.append(title, cite, choices, noteInput(state, "问题描述（不符合时）"), photoInput(state, li));
  return li;
}

function extraBlock() {
  const state = draft.extra;
  const li = document.createElement("li");
  li.className = "item extra";
  const title = document.createElement("div");
  title.textContent = "其他隐患（清单外）";
  const cite = document.createElement("input");
  cite.type = "text";
  cite.className = "article-input";
  cite.placeholder = "违反条款，如 建质规〔2024〕5号 第八条（四）";
  cite.value = state.article || "";
  cite.oninput = () => { state.article = cite.value; saveDraft(); };
  li.append(title, noteInput(state, "隐患描述（无则留空）"), cite, photoInput(state, li));
  return li;
}

function noteInput(state, hint) {
  const note = document.createElement("input");
  note.type = "text";
  note.className = "note";
  note.placeholder = hint;
  note.value = state.note || "";
  note.oninput = () => { state.note = note.value; saveDraft(); };
  return note;
}

function photoInput(state, li) {
  const wrap = document.createElement("div");
  const input = document.createElement("input");
  input.type = "file";
  input.accept = "image/jpeg,image/*";
  input.capture = "environment";
  input.className = "photo";
  const thumbs = document.createElement("div");
  thumbs.className = "thumbs";
  const show = async () => {
    thumbs.replaceChildren();
    for (const key of state.photos) {
      const kept = await get("photos", key);
      if (!kept) continue;
      const img = document.createElement("img");
      img.src = URL.createObjectURL(kept.blob);
      img.alt = "现场照片";
      thumbs.append(img);
    }
  };
  input.onchange = async () => {
    for (const file of input.files) {
      if (state.photos.length >= 3) break;
      const key = await keepPhoto(file);
      state.photos.push(key);
      await saveDraft();
    }
    input.value = "";
    show();
  };
  show();
  wrap.append(input, thumbs);
  return wrap;
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy_m: p.coords.accuracy }),
      () => resolve({}),
      { timeout: 5000, maximumAge: 60000 },
    );
  });
}

async function smaller(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  if (file.type === "image/jpeg" && file.size <= MAX_BYTES && scale === 1) return file;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

async function keepPhoto(file) {
  const photo = { key: crypto.randomUUID(), taken_at: Date.now() / 1000, sent: false };
  photo.blob = await smaller(file);
  Object.assign(photo, await position());
  await put("photos", photo);
  return photo.key;
}

// ---- finishing: the visit is kept on the phone, then sent
$("save").onclick = async () => {
  const plan = currentPlan();
  if (!plan) return;
  const missing = plan.checklist.findIndex((_, pos) => !draft.results[pos]?.result);
  if (missing >= 0) {
    say(`第 ${missing + 1} 项尚未选择：符合、不符合或不涉及`, true);
    return;
  }
  draft.note = $("note").value;
  const results = plan.checklist.map((_, pos) => ({ position: pos, ...draft.results[pos] }));
  const extra = draft.extra;
  const findings = extra.note?.trim() ? [{ description: extra.note, article: extra.article || "", photos: extra.photos }] : [];
  const body = { project: draft.project, inspected_at: Date.now() / 1000, note: draft.note, results, findings, ...(await position()) };
  const projectName = plan.targets.find((t) => t.project === draft.project)?.name || draft.project;
  await put("visits", { key: draft.key, plan: plan.id, title: `${plan.title} · ${projectName}`, body, sent: false });
  newDraft();
  fillItems();
  say("检查记录已保存在本机，正在发送…");
  await sendAll();
};

// ---- sending: photos first, then the inspection; each under its key, so a repeat is kept once
let sending = false;

async function sendAll() {
  if (sending || !navigator.onLine) return showDone();
  sending = true;
  try {
    for (const visit of await all("visits")) {
      if (!visit.sent && !(await sendVisit(visit))) break;
    }
  } finally {
    sending = false;
    await showDone();
  }
}

async function base64(blob) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.readAsDataURL(blob);
  });
}

async function sendPhoto(key) {
  const photo = await get("photos", key);
  if (!photo || photo.sent) return true;
  const { blob, sent, key: _, ...where } = photo;
  const r = await request(`${API}/photos/${key}`, { jpeg: await base64(blob), ...where });
  if (!r) return false;
  photo.sent = true;
  await put("photos", photo);
  return true;
}

async function sendVisit(visit) {
  const b = visit.body;
  const keys = [...b.results.flatMap((r) => r.photos || []), ...b.findings.flatMap((f) => f.photos)];
  for (const key of keys) if (!(await sendPhoto(key))) return false;
  const r = await request(`${API}/plans/${visit.plan}/on-site/${visit.key}`, b);
  if (!r) return false;
  visit.sent = true;
  visit.answer = { id: r.id, hazards: r.hazards };
  await put("visits", visit);
  say(`已发送：${visit.title}`);
  return true;
}

// a PUT's answer, or null when it must wait (no connection, signed out, the server busy); a refusal that
// sending again cannot change is kept with the visit, shown, and not retried
async function request(url, body) {
  let r;
  try {
    r = await fetch(url, { method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch (e) {
    say("无网络：记录保存在本机，恢复网络后自动发送");
    return null;
  }
  if (r.ok) return r.json();
  const why = (await r.json().catch(() => ({}))).error || r.statusText;
  if (r.status === 401) say("登录已过期：请重新登录，本机记录不会丢失", true, "/");
  else say(`发送未成功（${r.status}）：${why}。记录保存在本机，稍后重试`, true);
  return null;
}

async function showDone() {
  const visits = await all("visits");
  const waiting = visits.filter((v) => !v.sent).length;
  $("pending").textContent = `待发送 ${waiting} 条`;
  const list = $("done");
  list.replaceChildren();
  for (const v of visits) {
    const li = document.createElement("li");
    li.textContent = v.sent
      ? `${v.title}：已发送（检查记录 #${v.answer.id}，隐患 ${v.answer.hazards.map((h) => "#" + h).join("、") || "无"}）`
      : `${v.title}：待发送`;
    li.className = v.sent ? "ok sent" : "warn waiting";
    list.append(li);
  }
}

function showNet() {
  $("net").textContent = navigator.onLine ? "在线" : "离线";
}

$("plan").onchange = () => { draft = null; fillProjects(); };
$("project").onchange = () => { newDraft(); fillItems(); };
$("note").oninput = () => { draft.note = $("note").value; saveDraft(); };
window.addEventListener("online", () => { showNet(); sendAll(); });
window.addEventListener("offline", showNet);
setInterval(() => { if (navigator.onLine) sendAll(); }, RETRY_MS);

(async () => {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/ui/inspect-sw.js").catch(() => {});
  showNet();
  draft = (await get("draft", "current")) || null;
  await loadPlans();
  if (!plans.length) {
    if (!$("message").textContent.includes("登录")) say("没有可检查的计划（请在联网时打开本页，以便离线使用）", true);
  } else {
    $("form").hidden = false;
    say(navigator.onLine ? "选择计划和项目，逐项检查" : "离线：使用上次下载的检查计划");
    fillPlans();
  }
  await showDone();
  if (navigator.onLine) sendAll();
})();
