// Accidents on the clock and the 危大 list (regulator/routes/accidents.py) in the review UI: the red banner of
// overdue reporting clocks and accidents proposed for 挂牌督办 (on every tab, the queue and the overview
// included), each incident's 四不放过 checklist, investigation, penalty and closing, and the 危大工程 tab.
// Loaded after index.html's script: it uses that script's api, esc, time, flash, showTab, loadIncidents, $, me,
// caseForm and bindCases.
"use strict";

const ALERTS_SHOWN = 5;
async function loadIncidentAlerts() {
  const box = $("incident-alerts");
  try {
    const {alerts} = await api("/ui/api/incidents/alerts");
    const shown = alerts.slice(0, ALERTS_SHOWN);  // the rest are one click away, on the incidents' tab
    box.innerHTML = shown.map(a => `<div class="msg err" data-testid="incident-alert" data-kind="${esc(a.kind)}">${esc(a.message)}</div>`).join("")
      + (alerts.length > shown.length ? `<div class="msg err">另有 ${alerts.length - shown.length} 条事故上报/督办提醒，见“事故险情”</div>` : "");
    box.classList.toggle("hidden", !alerts.length);
  } catch (e) { box.classList.add("hidden"); }
}

// the incident table's follow-up cell: the four steps, the investigation and penalty, the proposal, closing
function followupCell(i) {
  const steps = i.steps.map(s => s.done
    ? `<div class="step done" data-testid="step-${esc(s.step)}">✓ ${esc(s.name)} <small>${esc(s.by)} ${esc(time(s.at))}：${esc(s.note)}</small></div>`
    : `<div class="step" data-testid="step-${esc(s.step)}">☐ ${esc(s.name)} ${i.closed_at ? "" : `<button class="act" data-incident="${esc(i.id)}" data-step="${esc(s.step)}">完成</button>`}</div>`).join("");
  const stages = i.kind === "accident" ? i.stages.map(s => s.done_at
    ? `<div>${esc(s.name)}：${esc(time(s.done_at))} 完成（${esc(s.done_by)}）</div>`
    : `<div class="${s.overdue ? "bad" : ""}">${esc(s.name)}：应于 ${esc(time(s.due_at))} 前完成 <button class="act" data-incident="${esc(i.id)}" data-stage="${esc(s.stage)}">标记完成</button></div>`).join("") : "";
  const closing = i.closed_at ? `<div class="site-resolved" data-testid="closed">已结案 ${esc(time(i.closed_at))}（${esc(i.closed_by)}）</div>`
    : `<input size="14" placeholder="情况说明" data-step-note="${esc(i.id)}"> <button class="act" data-close="${esc(i.id)}">结案</button>`;
  return `<td data-testid="followup">${steps}${stages}${i.proposal ? `<div class="bad" data-testid="proposal">${esc(i.proposal)}</div>` : ""}${closing}${sweepControl(i)}${me.role === "project" ? "" : caseForm("incident", i.id)}</td>`;
}

// 举一反三: a sweep of every project of the user's jurisdiction doing the same kind of work (the keys of
// regulator/inspections/sweeps.py's WORKS), with its checklist and coverage (POST /ui/api/inspections/sweeps)
const WORKS = [["platform", "高处作业吊篮"], ["crane", "塔式起重机"], ["hoist", "施工升降机"], ["confined", "有限空间作业"], ["pit", "深基坑"]];
function sweepControl(i) {
  const works = WORKS.map(([k, name]) => `<option value="${k}">${name}</option>`).join("");
  return `<div data-testid="sweep">举一反三：<select data-sweep-work="${esc(i.id)}">${works}</select>
    <input type="date" data-sweep-due="${esc(i.id)}"> <button class="act" data-sweep="${esc(i.id)}">发起排查</button></div>`;
}

function bindFollowup() {
  bindCases(document);  // each accident's exposure as a typical case (index.js)
  const done = (what) => (row) => { flash(what, true); loadIncidents(); return row; };
  document.querySelectorAll("[data-step]").forEach(b => b.onclick = async () => {
    const note = document.querySelector(`[data-step-note="${b.dataset.incident}"]`).value.trim();
    try { done("已记录")(await api(`/ui/api/incidents/${b.dataset.incident}/steps/${b.dataset.step}`, {method: "POST", body: JSON.stringify({note})})); }
    catch (e) { flash(e.message); }
  });
  document.querySelectorAll("[data-stage]").forEach(b => b.onclick = async () => {
    try { done("已记录")(await api(`/ui/api/incidents/${b.dataset.incident}/stages/${b.dataset.stage}`, {method: "POST"})); }
    catch (e) { flash(e.message); }
  });
  document.querySelectorAll("[data-sweep]").forEach(b => b.onclick = async () => {
    const id = b.dataset.sweep, work = document.querySelector(`[data-sweep-work="${id}"]`).value;
    const due = document.querySelector(`[data-sweep-due="${id}"]`).value;
    if (!due) { flash("请选择排查截止日期"); return; }
    try {
      const plan = await api("/ui/api/inspections/sweeps", {method: "POST", body: JSON.stringify({incident: Number(id), work, due})});
      flash(`已发起：${plan.title}（${plan.projects} 个项目，检查人员可在手机 /ui/inspect 逐项检查）`, true);
    } catch (e) { flash(e.message); }
  });
  document.querySelectorAll("[data-close]").forEach(b => b.onclick = async () => {
    try { done("已结案")(await api(`/ui/api/incidents/${b.dataset.close}/close`, {method: "POST"})); }
    catch (e) { flash(e.message); }
  });
}

const YES = (v) => v ? "✓" : `<span class="bad">✗</span>`;
async function loadDangerousWorks() {
  try {
    const code = $("dw-project").value.trim();
    const {projects} = await api("/ui/api/dangerous-works" + (code ? "?project=" + encodeURIComponent(code) : ""));
    $("dw-lists").innerHTML = projects.map(p => `<div class="card" data-testid="dw-project"><h3>${esc(p.project_name)} <span class="code">${esc(p.project)}</span>
      <small class="note">监测 ${esc(p.monitored)} 项 · 未监测 ${esc(p.unmonitored)} 项 · 重大隐患 ${esc(p.major)} 项 · 清单更新于 ${esc(time(p.received_at))}</small></h3>
      <div class="scroll"><table><thead><tr><th>名称</th><th>部位</th><th>规模</th><th>超过一定规模</th><th>计划</th><th>实际</th><th>责任人</th>
      <th>方案编制</th><th>方案审核</th><th>专家论证</th><th>交底</th><th>验收</th><th>监测</th><th>重大事故隐患</th></tr></thead><tbody>
      ${p.works.map(w => `<tr data-testid="work-row" data-monitored="${esc(w.monitored)}" class="${w.major_hazards.length ? "overdue-row" : ""}">
        <td>${esc(w.name)}</td><td>${esc(w.location)}</td><td>${esc(w.scale)}</td><td>${w.over_scale ? "是" : "否"}</td>
        <td class="nowrap">${esc(w.planned_start || "—")} ~ ${esc(w.planned_end || "—")}</td>
        <td class="nowrap">${esc(w.actual_start || "未开始")} ~ ${esc(w.actual_end || (w.in_progress ? "施工中" : "—"))}</td>
        <td>${w.responsible.map(esc).join("<br>")}</td>
        <td>${YES(w.plan_written)}</td><td>${YES(w.plan_reviewed)}</td><td>${w.over_scale ? YES(w.expert_reviewed) : "不需要"}</td>
        <td>${YES(w.briefed)}</td><td>${YES(w.accepted)}</td>
        <td data-testid="monitoring">${w.monitored ? `监测中：${w.devices.map(esc).join("、")}` : `<span class="bad">未监测</span>`}</td>
        <td>${w.major_hazards.map(h => `<div class="bad" data-testid="work-hazard">${esc(h.message)}<br><small>${esc(h.article)}</small></div>`).join("") || "—"}</td></tr>`).join("")}
      </tbody></table></div></div>`).join("") || `<div class="card note">没有收到危大工程清单</div>`;
  } catch (e) { flash(e.message); }
}
$("dw-go").onclick = loadDangerousWorks;

const showTabBefore = showTab;
showTab = (tab) => {  // eslint-disable-line no-global-assign -- the 危大工程 tab joins index.html's tabs
  $("dangerous").classList.toggle("hidden", tab !== "dangerous");
  if (tab === "dangerous") {
    document.querySelectorAll("header nav button").forEach(x => x.classList.toggle("on", x.dataset.tab === tab));
    document.querySelectorAll("main > section").forEach(s => s.classList.toggle("hidden", s.id !== "dangerous"));
    loadDangerousWorks();
  } else showTabBefore(tab);
  loadIncidentAlerts();
};

// the queue (the first tab after sign-in) shows the banner whenever it loads (showTab above: every tab)
const loadQueueBefore = loadQueue;
loadQueue = (...args) => { loadIncidentAlerts(); return loadQueueBefore(...args); };  // eslint-disable-line no-global-assign
// and so does the incidents' tab, after every report or step recorded
const loadIncidentsBefore = loadIncidents;
loadIncidents = (...args) => { loadIncidentAlerts(); return loadIncidentsBefore(...args); };  // eslint-disable-line no-global-assign
