// Hazards from every channel (regulator/channels/): an inspector's finding (on site or from a patrol picture),
// a project's self-check, and the public's reports a district's inspector verifies or rejects.
// Uses the page's $, esc, api, flash, time, readFile, showTab, showHazard and me (index.html).
"use strict";
let ARTICLES = null;
async function channelData() {
  if (!ARTICLES) ARTICLES = await api("/ui/api/channels/articles");
}
function citationFields(prefix) {  // the article a finding breaks: from the criteria, or another standard's
  const arts = ARTICLES.articles.map(a => `<option value="${esc(a.article)}">${esc(a.article)} ${esc(a.subject)}</option>`).join("");
  return `<label>判定标准条款<select id="${prefix}-article" data-testid="${prefix}-article"><option value="">不引用条款（一般隐患）</option>${arts}
      <option value="__other">其他标准（一般隐患）</option></select></label>
    <label>款<select id="${prefix}-item" data-testid="${prefix}-item"><option value="">—</option></select></label>
    <label id="${prefix}-other" class="hidden">标准及条款<input id="${prefix}-standard" size="16" placeholder="JGJ 59-2011">
      <input id="${prefix}-art2" size="10" placeholder="第3.0.4条"></label>
    ${me.role === "project" ? "" : `<label>分类<select id="${prefix}-major" data-testid="${prefix}-major"><option value="">按条款判定</option>
      <option value="true">改判：重大事故隐患</option><option value="false">改判：一般隐患</option></select></label>
    <label>改判理由<input id="${prefix}-why" size="20" placeholder="改判时必填"></label>`}
    <label>整改期限(天)<input id="${prefix}-days" type="number" min="1" max="365" size="4" placeholder="默认"></label>`;
}
function wireCitation(prefix) {
  $(`${prefix}-article`).onchange = () => {
    const a = ARTICLES.articles.find(x => x.article === $(`${prefix}-article`).value);
    $(`${prefix}-item`).innerHTML = `<option value="">—</option>` + (a ? a.items.map(i => `<option>${esc(i)}</option>`).join("") : "");
    $(`${prefix}-other`).classList.toggle("hidden", $(`${prefix}-article`).value !== "__other");
  };
}
function citation(prefix) {
  const article = $(`${prefix}-article`).value, body = {};
  if (article === "__other") Object.assign(body, {standard: $(`${prefix}-standard`).value, article: $(`${prefix}-art2`).value});
  else Object.assign(body, {article, item: $(`${prefix}-item`).value});
  if ($(`${prefix}-days`).value) body.deadline_days = +$(`${prefix}-days`).value;
  if ($(`${prefix}-major`) && $(`${prefix}-major`).value) {
    body.major = $(`${prefix}-major`).value === "true"; body.override_reason = $(`${prefix}-why`).value;
  }
  return body;
}
async function readFiles(input) {
  const out = [];
  for (const f of input.files) out.push(await new Promise((ok, fail) => {
    const r = new FileReader(); r.onload = () => ok(r.result); r.onerror = fail; r.readAsDataURL(f); }));
  return out;
}
// a project to choose among the user's (a province's are 20,000): found by code or name, 50 a page (pageLinks: index.html)
function projectPicker(prefix, label) {
  return `<label>${label}<input id="${prefix}-find" data-testid="${prefix}-find" size="14" placeholder="编号或名称">
    <select id="${prefix}-project" data-testid="${prefix}-project"></select></label><span id="${prefix}-projects" class="pager"></span>`;
}
function wireProjectPicker(prefix, find = "") {
  const show = async (n) => {
    let found;
    try { found = await api(`/ui/api/projects?page=${n}&page_size=50&q=${encodeURIComponent($(`${prefix}-find`).value.trim())}`); }
    catch (e) { flash(e.message); return; }
    $(`${prefix}-project`).innerHTML = found.projects.map(p => `<option value="${esc(p.code)}">${esc(p.name)} (${esc(p.code)})</option>`).join("");
    pageLinks($(`${prefix}-projects`), found, `<span class="note" data-testid="${prefix}-projects-total">共 ${esc(found.total)} 个项目</span>`, show);
  };
  $(`${prefix}-find`).value = find;
  $(`${prefix}-find`).onchange = () => show(1);
  return show(1);
}
let recordCamera = null;
async function loadChannels() {
  try { await channelData(); } catch (e) { flash(e.message); return; }
  const self = me.role === "project";
  $("channels").innerHTML = `<div class="card"><h3>${self ? "企业自查上报" : "监督检查 记录隐患"}</h3>
    <div class="filters">
      ${projectPicker("c", "项目")}
      <label>隐患描述<input id="c-description" data-testid="c-description" size="40"></label>
      ${citationFields("c")}
      <label>照片<input id="c-photos" data-testid="c-photos" type="file" accept="image/jpeg" multiple></label>
      <span id="c-camera" class="note" data-testid="c-camera">${recordCamera ? `证据：摄像头 ${esc(recordCamera.camera)} 的最新巡查画面` : ""}</span>
      <button class="act" id="c-send" data-testid="c-send">${self ? "上报自查隐患" : "记录隐患并责令整改"}</button></div></div>`;
  wireCitation("c");
  await wireProjectPicker("c", recordCamera ? recordCamera.project : "");
  $("c-send").onclick = async () => {
    const body = {project: $("c-project").value, description: $("c-description").value, ...citation("c"),
                  photos: await readFiles($("c-photos"))};
    if (recordCamera && recordCamera.project === body.project) body.camera = recordCamera.camera;
    try {
      const r = await api(self ? "/ui/api/self-checks" : "/ui/api/inspections", {method: "POST", body: JSON.stringify(body)});
      flash(`隐患已记录（编号 ${r.hazard_id}）`, true);
      // recorded from a camera's picture during a patrol: the patrol's finding on that project (patrol.js)
      if (body.camera) await dutySawHazard(body.project, body.camera, body.description, r.hazard_id);
      recordCamera = null;
      $("f-state").value = self ? "pending" : "rectifying"; $("f-source").value = "";
      showTab("queue"); showHazard(r.hazard_id);
    } catch (e) { flash(e.message); }
  };
}
function recordFromCamera(project, camera) { recordCamera = {project, camera}; showTab("channels"); }

async function loadReports() {
  let found;
  try { await channelData(); found = await api("/ui/api/public-reports?state=" + ($("pr-state") ? $("pr-state").value : "received")); }
  catch (e) { flash(e.message); return; }
  const state = $("pr-state") ? $("pr-state").value : "received";
  $("reports").innerHTML = `<div class="card filters"><label>状态<select id="pr-state"><option value="received">待核查</option>
      <option value="verified">已查实</option><option value="rejected">不予受理</option><option value="all">全部</option></select></label>
      <span class="note">群众举报经属地监管人员核查属实后才进入隐患台账（群众举报查实）。公开举报页：<a href="/public/report" target="_blank">/public/report</a></span></div>
    ${found.reports.map(r => `<div class="card" data-testid="public-report" data-id="${esc(r.id)}">
      <h4>举报 #${esc(r.id)} · ${esc(r.state_name)} · ${esc(time(r.received_at))}</h4>
      <div class="kv"><div>区县</div><div>${esc(r.district)}</div><div>工地</div><div data-testid="pr-site">${esc(r.site)}</div>
        <div>描述</div><div>${esc(r.description)}</div><div>举报人</div><div>${r.reporter ? esc(r.reporter) + " " + esc(r.contact) : "匿名"}</div>
        ${r.decided_by ? `<div>处理</div><div>${esc(r.decided_by)} ${esc(time(r.decided_at))} ${esc(r.reason)}${r.hazard_id ? ` → 隐患 ${esc(r.hazard_id)}` : ""}</div>` : ""}</div>
      ${r.has_photo ? `<div class="evidence"><img data-testid="pr-photo" src="/ui/api/public-reports/${esc(r.id)}/photo" alt="举报照片"></div>` : ""}
      ${r.state === "received" ? `<div class="filters">
        ${projectPicker("v" + r.id, "所属项目")}
        <label>核查情况<input id="v${esc(r.id)}-note" size="24"></label>${citationFields("v" + r.id)}
        <button class="act" data-verify="${esc(r.id)}" data-testid="pr-verify">查实，纳入台账</button>
        <input id="v${esc(r.id)}-reject" size="20" placeholder="不予受理理由"> <button class="act warn" data-reject="${esc(r.id)}">不予受理</button></div>` : ""}
    </div>`).join("") || `<div class="card note" data-testid="no-reports">暂无举报</div>`}`;
  $("pr-state").value = state;
  $("pr-state").onchange = loadReports;
  for (const r of found.reports) if (r.state === "received") { wireCitation("v" + r.id); wireProjectPicker("v" + r.id); }
  $("reports").querySelectorAll("button[data-verify]").forEach(b => b.onclick = async () => {
    const id = b.dataset.verify, r = found.reports.find(x => String(x.id) === id);
    const body = {project: $(`v${id}-project`).value, note: $(`v${id}-note`).value, description: r.description, ...citation("v" + id)};
    try { await api(`/ui/api/public-reports/${id}/verify`, {method: "POST", body: JSON.stringify(body)});
      flash(`举报 #${id} 已查实，纳入隐患台账`, true); loadReports(); } catch (e) { flash(e.message); }
  });
  $("reports").querySelectorAll("button[data-reject]").forEach(b => b.onclick = async () => {
    const id = b.dataset.reject;
    try { await api(`/ui/api/public-reports/${id}/reject`, {method: "POST", body: JSON.stringify({reason: $(`v${id}-reject`).value})});
      flash(`举报 #${id} 不予受理`, true); loadReports(); } catch (e) { flash(e.message); }
  });
}
