// the page index.html's script, served from /ui/page/index.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
"use strict";
let NAMES = {rules: {}, kinds: {}, metrics: {}, site_states: {}};  // regulator/names.py, from /ui/api/names
const LEVELS = {critical:"危险", alarm:"报警", warning:"预警"};
const STATES = {pending:"待审核", confirmed:"已确认", rectifying:"整改中", reported:"待复查", closed:"已销号", dismissed:"误报"};
const ACTIONS = {confirm:"确认隐患", dismiss:"误报", order:"下达整改", report:"上报整改", close:"复查销号",
  reject:"复查不通过", escalate:"逾期升级", reclassify:"改判分类"};
const EVIDENCE_PURPOSES = {rectification: "整改照片", reinspection: "复查照片", clip: "现场视频"};
const ROLES = {regulator:"监管人员", project:"项目用户", admin:"管理员", gateway:"网关", system:"系统"};
const EVENT_STATES = {firing:"触发", updated:"级别变化", acknowledged:"现场确认", resolved:"现场解除"};
let me = null, selected = null, page = 1;

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
// Dates are the sites' own time, whatever the browser's zone and locale: Chinese sites keep Beijing time
// (UTC+8, no daylight saving), written yyyy-MM-dd HH:mm as the sites' forms and the platforms' interfaces do.
const SITE_UTC_OFFSET_S = 8 * 3600;
const two = (n) => String(n).padStart(2, "0");
function time(t) {
  if (!t) return "—";
  const d = new Date((t + SITE_UTC_OFFSET_S) * 1000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}
// a time in a narrow column: its day and its hour on one line, or on two where the column is narrow (the queue)
const stamp = (t) => esc(time(t)).split(" ").map(part => `<span class="nowrap">${part}</span>`).join(" ");
function siteTime(text, what) {  // "yyyy-MM-dd HH:mm" (or a day alone) in site time -> Unix seconds
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (!m) throw new Error(`${what}: "${text}" 不是 yyyy-MM-dd HH:mm 格式的时间，例如 2026-11-23 08:00`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0)) / 1000 - SITE_UTC_OFFSET_S;
}
const pct = (r) => r == null ? "—" : (r * 100).toFixed(0) + "%";
const ruleText = (r) => NAMES.rules[r] || `${NAMES.kinds[String(r).split(".")[0]] || ""} 其他检查项`.trim();
const ruleName = (r) => `<span title="${esc(r)}">${esc(ruleText(r))}</span>`;
const num = (v) => v == null ? "—" : (Math.round(v * 100) / 100).toString();

async function api(path, opts = {}) {
  const r = await fetch(path, {headers: {"Content-Type": "application/json"}, credentials: "same-origin", ...opts});
  const body = await r.json().catch(() => ({}));
  // a wrong password or code where one is asked (sign-in, replacing the second factor) is not a lost session
  if (r.status === 401 && path !== "/ui/api/login" && path !== "/ui/api/second-factor") { showLogin(); }
  if (!r.ok) throw new Error(body.error || (body.detail && JSON.stringify(body.detail)) || r.statusText);
  return body;
}
function flash(text, ok) { $("flash").innerHTML = `<div class="msg ${ok ? "ok" : "err"}" data-testid="flash">${esc(text)}</div>`; }

function showLogin() { for (const id of ["app", "enrol"]) $(id).classList.add("hidden"); $("login").classList.remove("hidden"); }
// a second factor: a first one takes the administrator's enrolment code, replacing one the password and the
// current code; then its secret, made on the server, is shown as the server's SVG QR code and confirmed
let replacing = false;
async function showEnrol() {
  for (const id of ["app", "login"]) $(id).classList.add("hidden");
  $("enrol").classList.remove("hidden"); $("enrol-msg").innerHTML = "";
  for (const id of ["enrol-code", "enrol-grant", "enrol-pass", "enrol-old"]) $(id).value = "";
  replacing = Boolean(me && me.second_factor);
  $("enrol-first").classList.toggle("hidden", replacing);
  $("enrol-replace").classList.toggle("hidden", !replacing);
  $("enrol-start").classList.remove("hidden"); $("enrol-scan").classList.add("hidden");
}
$("enrol-get").onclick = async () => {
  const body = replacing ? {password: $("enrol-pass").value, otp: $("enrol-old").value.trim()}
    : {enrolment_code: $("enrol-grant").value.trim()};
  try {
    const f = await api("/ui/api/second-factor", {method: "POST", body: JSON.stringify(body)});
    $("enrol-msg").innerHTML = "";
    $("enrol-key").textContent = new URL(f.otpauth_uri).searchParams.get("secret");
    $("enrol-qr").src = f.qr_svg + "?t=" + Date.now();  // a new secret each time: never the cached picture
    $("enrol-start").classList.add("hidden"); $("enrol-scan").classList.remove("hidden");
  } catch (e) { $("enrol-msg").innerHTML = `<div class="msg err">${esc(e.message)}</div>`; }
};
$("enrol-grant").onkeydown = (e) => { if (e.key === "Enter") $("enrol-get").click(); };
$("enrol-old").onkeydown = (e) => { if (e.key === "Enter") $("enrol-get").click(); };
$("enrol-btn").onclick = async () => {
  try {
    await api("/ui/api/second-factor/confirm", {method: "POST", body: JSON.stringify({code: $("enrol-code").value.trim()})});
    $("enrol").classList.add("hidden"); start();
  } catch (e) { $("enrol-msg").innerHTML = `<div class="msg err">${esc(e.message)}</div>`; }
};
$("enrol-code").onkeydown = (e) => { if (e.key === "Enter") $("enrol-btn").click(); };
$("enrol-out").onclick = async () => { await api("/ui/api/logout", {method: "POST"}); showLogin(); };
$("enrol-open").onclick = () => showEnrol().catch((e) => flash(e.message));
async function start() {
  try { me = await api("/ui/api/me"); } catch (e) { showLogin(); return; }
  if (me.second_factor_required) { await showEnrol(); return; }  // nothing else answers until it is done
  $("enrol").classList.add("hidden");
  $("enrol-open").classList.toggle("hidden", me.role === "project");
  $("enrol-open").textContent = me.second_factor ? "更换动态口令" : "绑定动态口令";
  overviewPlace = "";  // a new user opens their own place
  $("login").classList.add("hidden"); $("app").classList.remove("hidden");
  // the place whose projects this user sees (none: every project)
  $("who").textContent = `${me.username} · ${ROLES[me.role]}` + (me.project ? ` · ${me.project}` : "")
    + (me.role !== "project" ? ` · 辖区 ${me.jurisdiction || "全部"}` : "");
  siteTabsFor(me.role);  // the header's (header.js)
  // the classification table is kept at province level (or by users without a jurisdiction)
  $("classes-edit").classList.toggle("hidden", me.role === "project" || (me.jurisdiction || "").includes("/"));
  if (!Object.keys(NAMES.rules).length) {
    NAMES = await api("/ui/api/names");
    for (const [k, v] of Object.entries(NAMES.rules)) $("f-rule").insertAdjacentHTML("beforeend", `<option value="${esc(k)}">${esc(v)}</option>`);
  }
  if (me.role === "project") { $("f-state").value = "open"; }
  for (const id of ["f-month-label", "f-report"]) $(id).classList.toggle("hidden", me.role === "project");  // a regulator's report
  if (!followLink()) loadQueue();
}
// links from the map (/ui/map): #queue?project=CODE, #patrol?project=CODE, #hazard=ID; from the other pages'
// header (header.js): #TAB, a tab this user has
function followLink() {
  const [where, query] = location.hash.slice(1).split("?");
  const project = new URLSearchParams(query || "").get("project") || "";
  history.replaceState(null, "", location.pathname);
  if (where === "queue" && project) { filterQueueTo(project); return true; }
  if (where === "patrol" && project) { $("pt-project").value = project; showTab("patrol"); return true; }
  const hazard = /^hazard=(\d+)$/.exec(where);
  if (hazard) { loadQueue(); showHazard(+hazard[1]); return true; }
  const tab = document.querySelector(`#site-nav button[data-tab="${CSS.escape(where)}"]:not(.hidden)`);
  if (where && tab) { showTab(where); return true; }
  return false;
}
// the map that was a tab here (#map) is the one map now
if (location.hash === "#map") location.replace("/ui/map");
$("login-btn").onclick = async () => {
  try {
    await api("/ui/api/login", {method: "POST", body: JSON.stringify({username: $("login-user").value, password: $("login-pass").value, otp: $("login-otp").value.trim()})});
    $("login-msg").innerHTML = ""; start();
  } catch (e) { $("login-msg").innerHTML = `<div class="msg err">${esc(e.message)}</div>`; }
};
$("login-pass").onkeydown = (e) => { if (e.key === "Enter") $("login-btn").click(); };
$("logout").onclick = async () => { await api("/ui/api/logout", {method: "POST"}); showLogin(); };

function showTab(tab) {
  document.querySelectorAll("header nav button").forEach(x => x.classList.toggle("on", x.dataset.tab === tab));
  for (const s of ["queue", "listings", "patrol", "overview", "audit", "incidents", "videoset", "coverage", "channels", "reports", "classes", "admin"]) $(s).classList.toggle("hidden", s !== tab);
  ({queue: loadQueue, listings: loadListings, patrol: loadPatrol, overview: loadOverview, audit: loadAudit, incidents: loadIncidents, videoset: loadVideoSet, coverage: loadCoverage, classes: loadClasses,
    channels: loadChannels, reports: loadReports,
    admin: () => {}})[tab]();
}
document.querySelectorAll("header nav button").forEach(b => b.onclick = () => showTab(b.dataset.tab));
$("f-go").onclick = () => { page = 1; loadQueue(); };
// a download through fetch: an error (a filter that matches too much, an unknown month) shows as a message
async function download(path) {
  try {
    const r = await fetch(path, {credentials: "same-origin"});
    if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || r.statusText);
    const name = decodeURIComponent((/filename\*=UTF-8''([^;]+)/.exec(r.headers.get("Content-Disposition") || "") || [])[1] || "download");
    const a = Object.assign(document.createElement("a"), {href: URL.createObjectURL(await r.blob()), download: name});
    document.body.append(a); a.click(); a.remove(); URL.revokeObjectURL(a.href);
  } catch (e) { flash(e.message); }
}
function exportParams() { const p = queueParams(); p.delete("page"); p.delete("page_size"); return p; }
$("f-xlsx").onclick = () => { try { download("/ui/api/exports/hazards.xlsx?" + exportParams()); } catch (e) { flash(e.message); } };
$("f-csv").onclick = () => { try { download("/ui/api/exports/hazards.csv?" + exportParams()); } catch (e) { flash(e.message); } };
$("f-report").onclick = () => download("/ui/api/reports/monthly.pdf?" + new URLSearchParams({month: $("f-month").value.trim()}));

const PAGE_SIZES = [20, 50, 100, 200];
let pageSize = 50;
function queueParams() {
  const p = new URLSearchParams({state: $("f-state").value, page, page_size: pageSize});
  for (const k of ["city", "district", "project", "rule", "level", "source"]) if ($("f-" + k).value) p.set(k, $("f-" + k).value.trim());
  for (const [k, what] of [["since", "起"], ["until", "止"]]) if ($("f-" + k).value.trim()) p.set(k, siteTime($("f-" + k).value, what));
  if ($("f-overdue").checked) p.set("overdue", "true");
  if ($("f-listed").checked) p.set("listed", "true");
  return p;
}
const siteClass = (s) => "site-" + (s === "updated" ? "firing" : s);
function peak(h) {  // the worst value, not the newest: an overload resolved at 32 % peaked at 107.7 %
  if (!h.peak_text) return "";
  return `<span class="peak nowrap" data-testid="row-peak" title="${h.peak_ts != null ? time(h.peak_ts) : ""}">峰值 ${esc(h.peak_text)}</span>`;
}
const classBadge = (h) => `<span class="cls ${esc(h.classification)}" data-testid="row-class" title="${esc(h.basis)}">${
  esc(h.classification_name)}${h.citation ? " " + esc(h.citation.replace(/^\S+\s/, "")) : ""}</span>`;
function pager(found) {
  const links = [];
  const link = (n, text) => links.push(`<a href="#" data-page="${n}" class="${n === found.page ? "on" : ""}">${text}</a>`);
  if (found.page > 1) link(found.page - 1, "上一页");
  for (let n = 1; n <= found.pages; n++) {
    if (n === 1 || n === found.pages || Math.abs(n - found.page) <= 2) link(n, n);
    else if (links[links.length - 1] !== "…") links.push("…");
  }
  if (found.page < found.pages) link(found.page + 1, "下一页");
  const sizes = PAGE_SIZES.map(n => `<option value="${n}" ${n === found.page_size ? "selected" : ""}>${n}</option>`).join("");
  $("pager").innerHTML = `<span class="total" data-testid="queue-total">共 ${esc(found.total)} 条，第 ${esc(found.page)}/${esc(found.pages)} 页</span>
    ${links.join("")} <label>每页 <select id="page-size">${sizes}</select> 条</label>`;
  $("pager").querySelectorAll("a[data-page]").forEach(a => a.onclick = (e) => { e.preventDefault(); page = +a.dataset.page; loadQueue(); });
  $("page-size").onchange = () => { pageSize = +$("page-size").value; page = 1; loadQueue(); };
}
async function loadQueue() {
  try {
    const found = await api("/ui/api/hazards?" + queueParams());
    if (found.page > found.pages) { page = found.pages; return loadQueue(); }  // the last page emptied meanwhile
    const {hazards} = found;
    $("queue-empty").classList.toggle("hidden", hazards.length > 0);
    $("queue-table").tBodies[0].innerHTML = hazards.map(h => `
      <tr class="row ${h.overdue ? "overdue-row" : ""} ${h.id === selected ? "sel" : ""}" data-id="${esc(h.id)}" data-testid="hazard-row">
        <td class="nowrap"><span class="lvl ${esc(h.level)}">${esc(LEVELS[h.level])}</span></td>
        <td>${esc(h.project_name)}<br><span class="code" data-testid="row-code">${esc(h.project)}</span></td>
        <td class="nowrap">${esc(h.city)}<br>${esc(h.district)}</td>
        <td><span class="src" data-testid="row-source">${esc(h.source_name)}</span> <b>${h.source === "gateway" ? ruleName(h.rule) : ""}</b> ${peak(h)} ${classBadge(h)}<br><span data-testid="row-message">${esc(h.peak_message || h.message)}</span>
          <br><span class="clause" data-testid="row-clause">${esc(h.clause)}</span></td>
        <td class="nowrap ${esc(siteClass(h.site_state))}" data-testid="row-site">${esc(h.site_state_name)}</td>
        <td data-testid="row-time">${stamp(h.last_ts)}</td>
        <td class="nowrap" data-testid="row-state">${esc(STATES[h.state])}</td>
        <td data-testid="row-listed">${h.supervision ? esc(h.supervision).split("、").map(level => `<span class="nowrap">${level}</span>`).join("、") : "—"}</td>
        <td class="${h.overdue ? "overdue" : ""}" title="${h.due !== h.deadline ? "挂牌督办期限（整改期限 " + (h.deadline ? time(h.deadline) : "—") + "）" : ""}">${stamp(h.due)}${h.due !== h.deadline ? " 督办" : ""}${h.overdue ? " 逾期" : ""}${h.escalated_at ? " ⚑已升级" : ""}</td>
      </tr>`).join("");
    [...$("queue-table").tBodies[0].rows].forEach(r => r.onclick = () => showHazard(+r.dataset.id));
    pager(found);
  } catch (e) { flash(e.message); }
}

function actionForm(h) {
  const can = (roles, states) => roles.includes(me.role) && states.includes(h.state);
  const reg = ["regulator", "admin"], site = ["project", "admin"];
  let out = "";
  if (can(reg, ["pending"])) out += `<button class="act" data-do="confirm">确认隐患</button>`;
  if (can(reg, ["pending", "confirmed"])) out += `
    <div>整改期限(天) <input id="a-days" type="number" min="1" size="4" placeholder="默认">
      <label><input id="a-major" type="checkbox" ${h.level === "critical" || h.classification === "major" || h.major ? "checked" : ""}> 重大隐患 挂牌督办</label>
      <button class="act" data-do="order">下达整改</button></div>
    <div><input id="a-reason" placeholder="误报原因 (必填)" size="30"> <button class="act warn" data-do="dismiss">判定误报</button></div>`;
  if (can(site, ["rectifying"])) out += `
    <div><input id="a-note" placeholder="整改说明 (必填)" size="30"> 整改照片 <input id="a-photo" type="file" accept="image/jpeg">
      <button class="act" data-do="report">上报整改</button></div>`;
  if (reg.includes(me.role)) out += `
    <div>改判为 <select id="r-major"><option value="true">重大事故隐患</option><option value="false">一般隐患</option></select>
      <input id="r-article" size="6" placeholder="第八条"> <input id="r-item" size="5" placeholder="（四）">
      <input id="r-reason" placeholder="改判理由 (必填)" size="22"> <button class="act warn" data-do="reclassify">改判</button></div>`;
  if (reg.includes(me.role)) out += caseForm("hazard", h.id);
  if (can(reg, ["reported"])) out += `
    <div><button class="act" data-do="close">复查通过 销号</button>
      <input id="a-reject" placeholder="不通过原因" size="24"> <button class="act warn" data-do="reject">复查不通过</button></div>`;
  return out || "<em>当前状态无可执行操作</em>";
}
// a hazard's or an accident's (kind) exposure as a typical case on the public page (/public), in the bureau's
// words: the form (a regulator's), then bindCases(root) for the forms under root
const caseForm = (kind, id) => `<div data-testid="expose-case" data-case-kind="${esc(kind)}" data-case-id="${esc(id)}">
  <input class="case-title" placeholder="典型案例标题" size="24"> <input class="case-text" placeholder="公开说明（不含身份证号、电话）" size="30">
  <button class="act case-expose">曝光为典型案例</button></div>`;
function bindCases(root) {
  root.querySelectorAll("[data-case-kind]").forEach(form => form.querySelector(".case-expose").onclick = async () => {
    const body = {kind: form.dataset.caseKind, id: Number(form.dataset.caseId),
      title: form.querySelector(".case-title").value.trim(), text: form.querySelector(".case-text").value.trim()};
    try {
      await api("/ui/api/public-cases", {method: "POST", body: JSON.stringify(body)});
      flash("已在公开页面曝光为典型案例", true);
    } catch (e) { flash(e.message); }
  });
}
function readFile(input) {
  return new Promise((ok, fail) => {
    if (!input || !input.files.length) return ok(null);
    const r = new FileReader(); r.onload = () => ok(r.result); r.onerror = fail; r.readAsDataURL(input.files[0]);
  });
}
async function doAction(h, action) {
  const body = {};
  if (action === "dismiss") body.reason = $("a-reason").value;
  if (action === "order") { body.major = $("a-major").checked; if ($("a-days").value) body.deadline_days = +$("a-days").value; }
  if (action === "report") { body.reason = $("a-note").value; body.photo = await readFile($("a-photo")); }
  if (action === "reject") body.reason = $("a-reject").value;
  if (action === "reclassify") Object.assign(body, {major: $("r-major").value === "true", article: $("r-article").value,
    item: $("r-item").value, reason: $("r-reason").value});
  try {
    await api(`/ui/api/hazards/${h.id}/${action}`, {method: "POST", body: JSON.stringify(body)});
    flash(`${ACTIONS[action]}: 已完成`, true);
    await showHazard(h.id); loadQueue();
  } catch (e) { flash(e.message); }
}
async function showHazard(id) {
  selected = id;
  let h;
  try { h = await api(`/ui/api/hazards/${id}`); } catch (e) { flash(e.message); return; }
  const pics = h.evidence.map(e => e.purpose === "clip"
      ? `<figure><video data-testid="evidence-clip" src="/ui/api/clips/${encodeURIComponent(e.sha256)}" controls muted playsinline preload="metadata"></video>
         <figcaption>现场视频（告警前后数秒） · SHA-256 ${esc(String(e.sha256).slice(0, 12))}…</figcaption></figure>`
      : e.kind === "stored"
      ? `<figure><img data-testid="evidence-img" src="/ui/api/evidence/${encodeURIComponent(e.sha256)}" alt="${esc(EVIDENCE_PURPOSES[e.purpose] || "证据")}">
         <figcaption>${esc(EVIDENCE_PURPOSES[e.purpose] || "现场证据")} · SHA-256 ${esc(String(e.sha256).slice(0, 12))}…</figcaption></figure>`
      : e.kind === "linked"
      ? `<figure><a data-testid="evidence-linked" href="/ui/linked-evidence/${h.id}/${encodeURIComponent(e.sha256)}" target="_blank" rel="noopener">在上报平台查看${esc(EVIDENCE_PURPOSES[e.purpose] || "现场证据")}</a>
         <figcaption>存于上报的下级平台（市级、区县级），经签名链接打开（数分钟内有效） · SHA-256 ${esc(String(e.sha256).slice(0, 12))}…</figcaption></figure>`
      : `<a href="${esc(e.url)}" target="_blank" rel="noopener">证据链接 ${esc(e.url)}</a>`).join("") || "<em>无证据图片</em>";
  const views = (h.views || []).map(v => `<tr><td>${esc(time(v.viewed_at))}</td><td>${esc(v.viewer)}（${esc(v.role)}）</td>
      <td>${esc(String(v.sha256).slice(0, 12))}…</td><td>${esc(v.address)}</td></tr>`).join("");
  const readings = h.readings.length ? `<table><tr><th>时间</th><th>设备/测点</th><th>指标</th><th class="num">值</th></tr>${
      h.readings.slice(-30).map(r => `<tr><td class="nowrap">${esc(time(r.ts))}</td><td>${esc(r.device)} ${esc(r.point)}</td><td data-testid="reading-metric">${esc(r.metric_name)}</td><td class="num">${num(r.value)} ${esc(r.unit)}</td></tr>`).join("")}</table>`
    : "<em>该时段无读数摘要</em>";
  const events = h.events.map(e => { const b = JSON.parse(e.body);
      return `<tr><td class="nowrap">${esc(time(e.ts))}</td><td>${esc(EVENT_STATES[e.state] || "—")}</td><td><span class="lvl ${esc(e.level)}">${esc(LEVELS[e.level])}</span></td><td class="num">${esc(b.value)} / ${esc(b.threshold)} ${esc(b.unit)}</td><td>${e.backfill ? "补传" : ""}</td></tr>`; }).join("");
  const trail = h.actions.map(a => `<tr><td>${esc(time(a.ts))}</td><td>${esc(a.actor)}</td><td>${ACTIONS[a.action] || esc(a.action)}</td>
      <td>${STATES[a.to_state] || esc(a.to_state)}</td><td>${esc(a.reason)}</td></tr>`).join("");
  $("detail").innerHTML = `
    <h3><span class="lvl ${esc(h.level)}">${esc(LEVELS[h.level])}</span> ${ruleName(h.rule)}</h3>
    <div class="kv">
      <div>来源</div><div data-testid="detail-source">${esc(h.source_name)}${h.found_by ? " · " + esc(h.found_by) : ""}</div>
      <div>项目</div><div>${esc(h.project_name)} (${esc(h.project)}) · ${esc(h.city)} ${esc(h.district)}</div>
      <div>设备/测点</div><div>${esc(h.device)} ${esc(h.point)}</div>
      <div>峰值</div><div data-testid="detail-peak">${h.peak_text ? `${esc(h.peak_text)}，${esc(time(h.peak_ts))}` : ""}${h.peak_message ? `<br>${esc(h.peak_message)}` : ""}</div>
      <div>最新</div><div>${esc(h.message)} (${esc(h.value)} / ${esc(h.threshold ?? "—")} ${esc(h.unit)})</div>
      <div>依据条款</div><div data-testid="clause">${esc(h.clause)}</div>
      <div>隐患分类</div><div data-testid="detail-class">${classBadge(h)} ${esc(h.citation)}<br><small>${esc(h.basis)}
        (${h.classified_by === "table" ? "分类表" : h.classified_by === "citation" ? "条款引用" : "改判：" + esc(h.classified_by)})</small></div>
      <div>首次/最近</div><div>${esc(time(h.first_ts))} / ${esc(time(h.last_ts))} (${esc(h.site_state_name)})</div>
      <div>状态</div><div data-testid="detail-state">${esc(STATES[h.state])}${h.major ? " · 挂牌督办" : ""}</div>
      <div>整改期限</div><div class="${h.overdue && h.due === h.deadline ? "overdue" : ""}">${h.deadline ? time(h.deadline) : "—"}${h.overdue && h.due === h.deadline ? " 已逾期" : ""}</div>
      ${h.due !== h.deadline ? `<div>挂牌督办期限</div><div class="${h.overdue ? "overdue" : ""}" data-testid="detail-due">${esc(time(h.due))}${h.overdue ? " 已逾期" : ""}（逾期按此计）</div>` : ""}
    </div>
    <div class="evidence">${pics}</div>
    <h4>操作</h4><div id="actions">${actionForm(h)}</div>
    <h4>挂牌督办</h4><div id="supervision-box"></div>
    <h4>事件</h4><table><tr><th>时间</th><th>现场状态</th><th>级别</th><th class="num">测值/限值</th><th></th></tr>${events}</table>
    <h4>前后读数</h4>${readings}
    <h4>处理记录</h4><table data-testid="trail"><tr><th>时间</th><th>操作人</th><th>操作</th><th>状态</th><th>原因/说明</th></tr>${trail}</table>
    ${views ? `<h4>上级平台查阅证据记录</h4><table data-testid="views"><tr><th>时间</th><th>上级平台用户</th><th>证据</th><th>来源地址</th></tr>${views}</table>` : ""}`;
  $("actions").querySelectorAll("button[data-do]").forEach(b => b.onclick = () => doAction(h, b.dataset.do));
  bindCases($("actions"));
  showSupervision(h);
}

// The patrol wall (regulator/video/patrol.py): each camera's latest picture, its findings and age, paged.
const PATROL_STATUS = {ok: "正常", stale: "画面过期", offline: "网关离线"};
const PATROL_CATEGORY = {public_building: "政府投资大型公共建筑", rail_transit: "轨道交通", municipal_tunnel: "市政隧道", other: "其他"};
let patrolPage = 1;
function ago(s) {
  if (s < 60) return `${Math.round(s)} 秒前`;
  if (s < 3600) return `${Math.round(s / 60)} 分钟前`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} 小时前`;
  return `${(s / 86400).toFixed(1)} 天前`;
}
function findingsText(f) {
  const parts = [`人员 ${esc(f.persons)}`, `头部 ${esc(f.heads)}`,
    `<span class="${f.bare_heads ? "bad" : ""}">未戴安全帽 ${esc(f.bare_heads)}</span>`];
  for (const [z, inside] of Object.entries(f.zones)) parts.push(`<span class="${inside ? "bad" : ""}">禁入区 ${esc(z)}：${inside ? "有人" : "无人"}</span>`);
  for (const [e, open] of Object.entries(f.edges)) parts.push(`<span class="${open ? "bad" : ""}">临边 ${esc(e)}：${open ? "防护缺失" : "防护完好"}</span>`);
  return parts.join("，");
}
// a paged answer's (page, pages) links after its summary into el; go(n) opens page n
function pageLinks(el, found, summary, go) {
  const links = [];
  for (let n = 1; n <= found.pages; n++) {
    if (n === 1 || n === found.pages || Math.abs(n - found.page) <= 2) links.push(`<a href="#" data-page="${n}" class="${n === found.page ? "on" : ""}">${n}</a>`);
    else if (links[links.length - 1] !== "…") links.push("…");
  }
  el.innerHTML = summary + links.join("");
  el.querySelectorAll("a[data-page]").forEach(a => a.onclick = (e) => { e.preventDefault(); go(+a.dataset.page); });
}
async function loadPatrol() {
  const p = new URLSearchParams({page: patrolPage, page_size: $("pt-size").value});
  $("pt-wall").classList.toggle("compact", $("pt-density").value === "compact");
  for (const k of ["project", "city", "district", "category", "risk"]) if ($("pt-" + k).value.trim()) p.set(k, $("pt-" + k).value.trim());
  if ($("pt-set").checked) p.set("video_set", "true");
  if ($("pt-status").value) p.set("status", $("pt-status").value);
  let w;
  try { w = await api("/ui/api/patrol?" + p); } catch (e) { flash(e.message); return; }
  if (w.page > w.pages) { patrolPage = w.pages; return loadPatrol(); }
  pageLinks($("pt-pager"), w, `<span class="total" data-testid="patrol-total">共 ${esc(w.total)} 台摄像头（画面过期 ${esc(w.stale)}，网关离线 ${esc(w.offline)}），第 ${esc(w.page)}/${esc(w.pages)} 页</span>`,
    (n) => { patrolPage = n; loadPatrol(); });
  $("pt-wall").innerHTML = w.tiles.map(t => `<div class="tile ${esc(t.status)}" data-testid="patrol-tile">
    <img loading="lazy" src="${esc(t.picture)}" alt="${esc(t.camera)}" data-open-project="${esc(t.project)}" data-open-camera="${esc(t.camera)}" title="点击放大，播放最新视频">
    <div class="cap"><b>${esc(t.project_name)}</b> <span class="code">${esc(t.project)}</span>${t.category ? ` <span class="cls major" title="省级视频监控项目集">${esc(PATROL_CATEGORY[t.category] || t.category)}</span>` : ""}<br>
      ${esc(t.camera)} · <span class="badge ${esc(t.status)}">${esc(PATROL_STATUS[t.status])}</span> · <span title="${esc(time(t.taken_at))}">${ago(t.age_s)}</span><br>
      <span data-testid="patrol-findings">${findingsText(t.findings)}</span><br>
      ${me.role === "project" ? "" : t.relayed  // its gateway polls its city's platform: a request here would go unheard
        ? `<span class="note" data-testid="patrol-relayed">市级平台转报（每 ${t.every_s >= 60 ? `${esc(Math.round(t.every_s / 60))} 分钟` : `${esc(Math.round(t.every_s))} 秒`}更新），抓拍请在市级平台</span>`
        : t.requested_at
        ? `<span class="note" data-testid="patrol-asked">已请求抓拍（${esc(time(t.requested_at))}），现场下次轮询时上传</span>`
        : `<button class="act warn" data-ask="${esc(encodeURIComponent(t.project))}/${esc(encodeURIComponent(t.camera))}">立即抓拍</button>`}
      ${me.role === "project" ? "" : `<button class="act" data-testid="patrol-record" data-record-project="${esc(t.project)}" data-record-camera="${esc(t.camera)}">记录隐患</button>`}
      ${dutySeenButton(t)}</div></div>`).join("") || `<div class="card note">暂无画面</div>`;
  wireDuty();
  $("pt-wall").querySelectorAll("button[data-record-camera]").forEach(b => b.onclick = () => recordFromCamera(b.dataset.recordProject, b.dataset.recordCamera));
  $("pt-wall").querySelectorAll("button[data-ask]").forEach(b => b.onclick = async () => {
    try { await api(`/ui/api/patrol/${b.dataset.ask}/request`, {method: "POST"}); } catch (e) { flash(e.message); return; }
    loadPatrol();
  });
}
$("pt-go").onclick = () => { patrolPage = 1; loadPatrol(); };

let riskPage = 1;
// risk grading: one page of the projects, the riskiest first, and the riskiest companies (regulator/reports/risk.py)
async function loadRisk() {
  try {
    // of the place the overview opened, as the rest of the tab
    const risk = await api(`/ui/api/risk?page=${riskPage}&page_size=20` + (overviewPlace ? "&place=" + encodeURIComponent(overviewPlace) : ""));
    if (risk.page > risk.pages) { riskPage = risk.pages; return loadRisk(); }
    const k = risk.policy;
    $("risk-note").textContent = `得分 = 重大/挂牌×${k.open_major} + 其他未销号×${k.open_general} + 近${k.recent_days}天隐患×${k.recent}`
      + ` + 逾期×${k.overdue} + 近${k.incident_days}天事故×${k.accident} + 重大险情×${k.near_miss}；≥${k.high_from} 高，≥${k.medium_from} 中`
      + `（高 ${risk.grades.high}，中 ${risk.grades.medium}，低 ${risk.grades.low}）`;
    const badge = (g, n) => `<span class="cls ${g === "high" ? "major" : ""}" data-testid="risk-grade">${esc(n)}</span>`;
    $("risk-projects").tBodies[0].innerHTML = risk.projects.map(p => `<tr data-testid="risk-project"><td>${badge(p.grade, p.grade_name)}</td>
      <td>${esc(p.name)}<br><span class="code">${esc(p.code)}</span></td><td>${esc(p.contractor)}<br>${esc(p.supervisor)}</td>
      <td class="num">${esc(p.score)}</td><td class="num">${esc(p.open_major)}</td><td class="num">${esc(p.open_general)}</td><td class="num">${esc(p.recent)}</td>
      <td class="num">${esc(p.overdue)}</td><td class="num">${esc(p.accidents)}</td><td class="num">${esc(p.near_misses)}</td></tr>`).join("");
    $("risk-companies").tBodies[0].innerHTML = risk.companies.map(c => `<tr data-testid="risk-company"><td>${badge(c.grade, c.grade_name)}</td>
      <td>${esc(c.name)}</td><td>${esc(c.role_name)}</td><td class="num">${esc(c.score)}</td><td>${c.projects.map(esc).join("，")}</td></tr>`).join("")
      || `<tr><td colspan="5" class="note">无（项目未登记施工、监理单位）</td></tr>`;
    pageLinks($("risk-pager"), risk, `<span class="total" data-testid="risk-total">共 ${esc(risk.total)} 个项目，风险高的在前，第 ${esc(risk.page)}/${esc(risk.pages)} 页</span>`,
      (n) => { riskPage = n; loadRisk(); });
  } catch (e) { flash(e.message); }
}
// the overview is of one place, opened from the user's own (overview.py): its areas one level below it (cities,
// districts) or, for a district, its projects
let overviewPlace = "";
const AREA_KINDS = {city: "城市", district: "区县"};
const overviewOf = () => api("/ui/api/overview" + (overviewPlace ? "?place=" + encodeURIComponent(overviewPlace) : ""));
function showCrumbs(host, o, reload) {
  host.innerHTML = o.trail.map((t, i) => i === o.trail.length - 1 ? `<b data-testid="crumb">${esc(t.name)}</b>`
    : `<a href="#" data-testid="crumb" data-place="${esc(t.path)}">${esc(t.name)}</a>`).join(" › ");
  host.onclick = (e) => { const a = e.target.closest("a[data-place]"); if (a) { e.preventDefault(); overviewPlace = a.dataset.place; riskPage = 1; reload(); } };
}
async function loadOverview() {
  try {
    const o = await overviewOf();
    showCrumbs($("ov-crumbs"), o, loadOverview);
    $("area-card").classList.toggle("hidden", o.by === "project");
    $("area-title").textContent = `${o.place.name} · 各${AREA_KINDS[o.by] || ""}（点击一行进入下一级）`;
    $("area-kind").textContent = AREA_KINDS[o.by] || "";
    $("area-table").tBodies[0].innerHTML = o.areas.map(c => `<tr class="${c.path ? "area" : ""}" data-testid="area-row" data-place="${esc(c.path || "")}"><td>${esc(c.name)}</td><td class="num">${esc(c.projects)}</td>
      <td class="num ${c.offline ? "offline" : ""}">${esc(c.offline)}</td><td class="num">${esc(c.open)}</td><td class="num">${esc(c.pending)}</td>
      <td class="num ${c.overdue ? "overdue" : ""}">${esc(c.overdue)}</td><td class="num">${esc(c.listed)}</td><td class="num">${esc(c.open_lt_1d)}</td>
      <td class="num">${esc(c.open_1_7d)}</td><td class="num">${esc(c.open_gt_7d)}</td><td class="num">${esc(c.mean_close_h ?? "—")}</td><td class="num">${pct(c.false_alarm_rate)}</td></tr>`).join("");
    $("area-table").tBodies[0].onclick = (e) => { const tr = e.target.closest("tr[data-place]"); if (tr && tr.dataset.place) { overviewPlace = tr.dataset.place; riskPage = 1; loadOverview(); } };
    $("project-title").textContent = o.by === "project" ? "项目 (省级视频监控项目在前，其次离线项目)"
      : "项目：省级视频监控项目，及整改逾期最多的项目（全部项目见区县一级）";
    const projects = [...o.projects].sort((a, b) => (!!b.video_set - !!a.video_set) || (b.offline - a.offline) || (b.overdue - a.overdue) || (b.open - a.open));
    $("project-table").tBodies[0].innerHTML = projects.map(p => `<tr data-testid="project-row"><td>${esc(p.name)}<br><small>${esc(p.code)}</small>${
        p.video_set ? ` <span class="cls major" data-testid="video-set-badge" title="省级视频监控项目集">视频监控·${esc(p.video_set_name)}</span>` : ""}</td>
      <td>${esc(p.city)} ${esc(p.district)}</td><td class="${p.offline ? "offline" : ""}">${p.offline ? "离线 " : ""}${esc(time(p.last_seen_at))}${p.devices_total == null ? "" :
        `<br><small data-testid="liveness-counts" title="市级平台转报：在线/已知">设备 ${esc(p.devices_online)}/${esc(p.devices_total)} · 摄像头 ${esc(p.cameras_online)}/${esc(p.cameras_total)}</small>`}</td>
      <td data-testid="gateway-release">${p.gateway_release ? esc(p.gateway_release) : "—"}</td><td class="num">${esc(p.open)}</td><td>${Object.entries(p.open_by_rule).map(([r, n]) => `${esc(ruleText(r))} ${esc(n)}`).join("，")}</td>
      <td class="num ${p.overdue ? "overdue" : ""}">${esc(p.overdue)}</td><td class="num">${esc(p.open_gt_7d)}</td><td class="num">${esc(p.mean_close_h ?? "—")}</td>
      <td class="num">${pct(p.false_alarm_rate)}</td></tr>`).join("");
    await loadRisk();
    const w = await api("/ui/api/warnings");
    $("warning-hold").textContent = `现场 ${w.hold_s >= 60 ? Math.round(w.hold_s / 60) + " 分钟" : w.hold_s + " 秒"}内解除的预警只计数，不进入隐患台账；当前待定 ${w.held_now} 条`;
    $("warning-table").tBodies[0].innerHTML = w.counts.map(c => `<tr data-testid="warning-row"><td>${esc(c.project_name)}<br><span class="code">${esc(c.project)}</span></td>
      <td>${esc(c.rule_name)}</td><td class="num">${esc(c.episodes)}</td><td class="num">${esc(c.events)}</td>
      <td class="nowrap">${esc(time(c.first_ts))}</td><td class="nowrap">${esc(time(c.last_ts))}</td></tr>`).join("") || `<tr><td colspan="6" class="note">无</td></tr>`;
    $("rule-table").tBodies[0].innerHTML = o.rules.map(r => `<tr><td>${ruleName(r.rule)}</td><td class="num">${esc(r.open)}</td>
      <td class="num">${esc(r.closed)}</td><td class="num">${esc(r.dismissed)}</td><td class="num">${pct(r.false_alarm_rate)}</td><td class="num">${esc(r.mean_close_h ?? "—")}</td></tr>`).join("");
  } catch (e) { flash(e.message); }
}
// a project's open hazards in the queue: the map's (/ui/map) link #queue?project=CODE
function filterQueueTo(code) {
  for (const k of ["city", "district", "since", "until"]) $("f-" + k).value = "";
  $("f-rule").value = ""; $("f-level").value = ""; $("f-overdue").checked = false;
  $("f-project").value = code; $("f-state").value = "open"; page = 1;
  showTab("queue");
}
async function loadClasses() {
  try {
    const t = await api("/ui/api/classifications");
    $("classes-standard").textContent = t.standard; $("classes-none").textContent = t.no_article;
    const editable = me.role !== "project";
    $("classes-table").tBodies[0].innerHTML = t.rows.map(r => `<tr data-testid="class-row" data-id="${esc(r.id)}">
      <td>${r.rule === "*" ? "* 任意" : ruleName(r.rule)}</td><td>${esc(r.clause_contains) || "（任意）"}</td>
      <td><span class="cls ${r.major ? "major" : "general"}">${r.major ? "重大事故隐患" : "一般隐患"}</span></td>
      <td class="nowrap">${esc(r.article)}${esc(r.item)}</td><td>${esc(r.basis)}</td><td>${esc(r.updated_by)}<br>${esc(time(r.updated_at))}</td>
      <td class="nowrap">${editable ? `<button class="act warn" data-edit="${esc(r.id)}">修改</button><button class="act warn" data-del="${esc(r.id)}">删除</button>` : ""}</td></tr>`).join("");
    const byId = Object.fromEntries(t.rows.map(r => [r.id, r]));
    $("classes-table").querySelectorAll("button[data-edit]").forEach(b => b.onclick = () => { const r = byId[b.dataset.edit];
      $("c-rule").value = r.rule; $("c-clause").value = r.clause_contains; $("c-major").value = String(r.major);
      $("c-article").value = r.article; $("c-item").value = r.item; $("c-basis").value = r.basis; });
    $("classes-table").querySelectorAll("button[data-del]").forEach(b => b.onclick = async () => {
      try { await api(`/ui/api/classifications/${b.dataset.del}`, {method: "DELETE"}); flash("已删除", true); loadClasses(); }
      catch (e) { flash(e.message); } });
  } catch (e) { flash(e.message); }
}
$("c-save").onclick = async () => {
  const body = {rule: $("c-rule").value.trim(), clause_contains: $("c-clause").value.trim(), major: $("c-major").value === "true",
    article: $("c-article").value.trim(), item: $("c-item").value.trim(), basis: $("c-basis").value.trim()};
  try { await api("/ui/api/classifications", {method: "PUT", body: JSON.stringify(body)}); flash("分类表已保存", true); loadClasses(); }
  catch (e) { flash(e.message); }
};
// how long, in hours and minutes: a clock's time left, past its deadline, or how late a report came
const span = (s) => `${Math.floor(s / 3600)}小时${two(Math.floor(s % 3600 / 60))}分`;
const CLOCK_CLASS = {met: "", late: "overdue", due: "", overdue: "overdue", waiting: "note"};
function clockCell(c) {
  const when = c.state === "due" ? `剩余 ${span(c.seconds)}` : c.state === "overdue" ? `超时 ${span(c.seconds)}`
    : c.state === "late" ? `${esc(time(c.reported_at))} · 晚 ${span(c.seconds)}` : c.state === "met" ? time(c.reported_at) : "";
  return `<td class="nowrap ${esc(CLOCK_CLASS[c.state])}" data-testid="clock-${esc(c.to)}" title="${esc(c.basis)}">${esc(c.state_name)}${when ? "<br>" + when : ""}</td>`;
}
async function loadVideoSet() {
  try {
    const v = await api("/ui/api/video-set");
    if (!$("vs-category").options.length)
      $("vs-category").innerHTML = Object.entries(v.categories).map(([k, n]) => `<option value="${esc(k)}">${esc(n)}</option>`).join("");
    const regulator = me.role !== "project";
    $("vs-include").parentElement.classList.toggle("hidden", !regulator);
    $("vs-count").textContent = `共 ${v.members.length} 个项目（辖区内）`;
    // a removal reason being typed survives the reload that each visit to the tab starts
    const typed = Object.fromEntries([...document.querySelectorAll("#vs-table input[data-reason]")].map(i => [i.dataset.reason, i.value]));
    $("vs-table").tBodies[0].innerHTML = v.members.map(m => `<tr data-testid="video-set-row"><td>${esc(m.name)}<br><span class="code">${esc(m.project)}</span></td>
      <td>${esc(m.city)} ${esc(m.district)}</td><td>${esc(m.category_name)}</td><td class="nowrap">${esc(m.effective_on)}</td><td>${esc(m.reason)}</td>
      <td>${esc(m.decided_by)}</td><td>${regulator ? `<input size="12" placeholder="移出原因" data-reason="${esc(m.project)}">
      <button class="act warn" data-remove="${esc(m.project)}">移出</button>` : ""}</td></tr>`).join("") || `<tr><td colspan="7" class="note">无</td></tr>`;
    // a project's membership history: the changes whose code or name holds the filter's text, newest first
    const history = () => {
      const want = $("vs-filter").value.trim();
      $("vs-history").tBodies[0].innerHTML = [...v.changes].reverse().filter(c => !want || c.project.includes(want) || c.name.includes(want))
        .map(c => `<tr data-testid="video-set-change"><td class="nowrap">${esc(c.effective_on)}</td>
        <td>${esc(c.name)}<br><span class="code">${esc(c.project)}</span></td><td>${esc(c.action_name)}</td><td>${esc(c.category_name)}</td>
        <td>${esc(c.reason)}</td><td>${esc(c.decided_by)}</td><td class="nowrap">${esc(time(c.decided_at))}</td></tr>`).join("") || `<tr><td colspan="7" class="note">无</td></tr>`;
    };
    document.querySelectorAll("#vs-table input[data-reason]").forEach(i => i.value = typed[i.dataset.reason] ?? "");
    $("vs-filter").oninput = history;
    history();
    document.querySelectorAll("#vs-table button[data-remove]").forEach(b => b.onclick = async () => {
      const project = b.dataset.remove;
      const reason = document.querySelector(`#vs-table input[data-reason="${CSS.escape(project)}"]`).value.trim();
      try {
        await api(`/ui/api/video-set/${encodeURIComponent(project)}/remove`, {method: "POST", body: JSON.stringify({reason})});
        flash(`已移出 ${project}`, true); loadVideoSet();
      } catch (e) { flash(e.message); }
    });
  } catch (e) { flash(e.message); }
}
$("vs-include").onclick = async () => {
  try {
    await api("/ui/api/video-set", {method: "POST", body: JSON.stringify({project: $("vs-project").value.trim(),
      category: $("vs-category").value, reason: $("vs-reason").value.trim(), effective_on: $("vs-date").value.trim()})});
    flash(`已纳入 ${$("vs-project").value.trim()}`, true); loadVideoSet();
  } catch (e) { flash(e.message); }
};

async function loadIncidents() {
  try {
    const {destinations, incidents} = await api("/ui/api/incidents");
    if (!$("r-to").options.length)
      $("r-to").innerHTML = Object.entries(destinations).map(([k, v]) => `<option value="${esc(k)}">${esc(v)}</option>`).join("");
    const clocks = incidents.length ? incidents[0].clocks : [];
    $("incident-table").tHead.innerHTML = `<tr><th>编号</th><th>发生时间</th><th>项目</th><th>类别</th><th>伤亡</th><th>经过</th>
      ${clocks.map(c => `<th>${esc(c.name)}<br><small>${esc(c.hours)}小时</small></th>`).join("")}<th>上报记录</th><th>四不放过 · 调查处理</th></tr>`;
    $("incident-table").tBodies[0].innerHTML = incidents.map(i => `<tr data-testid="incident-row">
      <td>${esc(i.id)}</td><td class="nowrap">${esc(time(i.occurred_at))}</td>
      <td>${esc(i.project_name)}<br><span class="code">${esc(i.project)}</span></td><td>${esc(i.kind_name)}</td>
      <td class="nowrap">死亡 ${esc(i.deaths)} · 受伤 ${esc(i.injuries)}</td><td>${esc(i.description)}</td>${i.clocks.map(clockCell).join("")}
      <td>${i.reports.map(r => `${esc(time(r.reported_at))} ${esc(r.reported_by)} → ${esc(r.to_name)}（${esc(r.how_name)}）${r.late_s != null ? ' <span class="bad">迟报</span>' : ""}`).join("<br>") || "—"}
        <br><button class="act" data-report="${esc(i.id)}">记录上报</button></td>${followupCell(i)}</tr>`).join("");
    bindFollowup();
    document.querySelectorAll("[data-report]").forEach(b => b.onclick = () => { $("r-incident").value = b.dataset.report; $("r-who").focus(); });
  } catch (e) { flash(e.message); }
}
$("i-save").onclick = async () => {
  try {
    const body = {project: $("i-project").value.trim(), kind: $("i-kind").value, occurred_at: siteTime($("i-time").value, "发生时间"),
                  deaths: +$("i-deaths").value || 0, injuries: +$("i-injuries").value || 0, description: $("i-desc").value.trim()};
    const saved = await api("/ui/api/incidents", {method: "POST", body: JSON.stringify(body)});
    flash(`已登记 ${saved.kind_name} #${saved.id}`, true); loadIncidents();
  } catch (e) { flash(e.message); }
};
$("r-save").onclick = async () => {
  try {
    const at = $("r-time").value.trim() ? siteTime($("r-time").value, "上报时间") : Date.now() / 1000;
    const body = {to: $("r-to").value, reported_by: $("r-who").value.trim(), reported_at: at, note: $("r-note").value.trim()};
    await api(`/ui/api/incidents/${+$("r-incident").value}/reports`, {method: "POST", body: JSON.stringify(body)});
    flash("上报已记录", true); loadIncidents();
  } catch (e) { flash(e.message); }
};
async function loadAudit() {
  try {
    const {actions} = await api("/ui/api/audit");
    $("audit-table").tBodies[0].innerHTML = actions.reverse().map(a => `<tr><td>${esc(time(a.ts))}</td><td>${esc(a.actor)}</td><td>${esc(ROLES[a.role] || "—")}</td>
      <td>${esc(a.project)}</td><td>${esc(a.hazard_id ?? "")}</td><td>${ACTIONS[a.action] || esc(a.action)}</td><td>${STATES[a.to_state] || esc(a.to_state)}</td><td>${esc(a.reason)}</td></tr>`).join("");
  } catch (e) { flash(e.message); }
}
$("p-save").onclick = async () => {
  const body = Object.fromEntries(["code", "name", "city", "district", "province", "contractor", "supervisor", "secret"].map(k => [k, $("p-" + k).value.trim()]));
  for (const k of ["lat", "lon"]) body[k] = $("p-" + k).value.trim() ? +$("p-" + k).value : null;  // the map's point (WGS-84)
  try { await api("/ui/api/projects", {method: "POST", body: JSON.stringify(body)}); flash(`项目 ${body.code} 已登记`, true); }
  catch (e) { flash(e.message); }
};
$("u-save").onclick = async () => {
  const body = {username: $("u-name").value.trim(), password: $("u-pass").value, role: $("u-role").value,
                project: $("u-project").value.trim() || null, jurisdiction: $("u-jurisdiction").value.trim() || null};
  try {
    const saved = await api("/ui/api/users", {method: "POST", body: JSON.stringify(body)});
    // shown once: the administrator hands it over apart from the password, for the user's first sign-in
    flash(`用户 ${body.username} 已保存` + (saved.enrolment_code
      ? `；动态口令绑定码 ${saved.enrolment_code}（72 小时内有效，仅显示一次，请另行当面交给本人）` : ""), true);
  } catch (e) { flash(e.message); }
};
setInterval(() => { if (me && !$("queue").classList.contains("hidden")) loadQueue(); }, 15000);
