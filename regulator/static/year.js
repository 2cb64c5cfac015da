// the page year.html's script, served from /ui/page/year.js (no inline script: the pages' Content-Security-Policy):
// the year's plans (regulator/routes/inspections.py), a plan's coverage and its export, the 双随机 pools and draws.
// Every list comes from the API scoped to the user's jurisdiction; a project user is shown none of it. Its
// helpers ($, esc, api, flash) are common.js's.
const day = (t) => t ? new Date(t * 1000).toLocaleDateString("zh-CN", {timeZone: "Asia/Shanghai"}) : "—";
const when = (t) => t ? new Date(t * 1000).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false}) : "—";
const API = "/ui/api/inspections";
const post = (path, body) => api(path, {method: "POST", body: JSON.stringify(body)});
const val = (id) => $(id).value.trim();
const counts = (c, name) => `<tr data-testid="coverage-count"><td>${esc(name)}</td><td class="num">${c.done}</td>
  <td class="num">${c.due}</td><td class="num">${c.overdue}</td><td class="num">${c.total}</td></tr>`;

async function loadPlans() {
  const plans = await api(`${API}/plans`);
  $("plans").tBodies[0].innerHTML = plans.map(p => `<tr data-testid="plan" data-id="${p.id}"><td>${esc(p.title)}</td>
    <td>${esc(p.kind_name)}${p.theme_name ? ` · ${esc(p.theme_name)}` : ""}</td><td>${esc(p.place || "全部辖区")}</td>
    <td>${day(p.due_at)}</td><td class="num">${p.projects}</td><td>${esc(p.created_by)}</td>
    <td><button data-coverage="${p.id}">查看覆盖</button></td></tr>`).join("") || `<tr><td colspan="7" class="note">无</td></tr>`;
  $("plans").querySelectorAll("button[data-coverage]").forEach(b => b.onclick = () => showCoverage(+b.dataset.coverage));
}

async function showCoverage(id) {
  let c;
  try { c = await api(`${API}/plans/${id}/coverage`); } catch (e) { flash(e.message); return; }
  $("coverage-card").hidden = false;
  $("c-title").textContent = c.plan.title;
  const t = c.totals;
  $("c-totals").textContent = `截至 ${when(c.as_of)}：已查 ${t.done}，待查 ${t.due}，逾期未查 ${t.overdue}，共 ${t.total}（${Math.round(c.share * 100)}%）`;
  $("c-xlsx").href = `${API}/plans/${id}/coverage.xlsx`;
  $("c-checklist").innerHTML = c.plan.checklist.length ? `<h4>检查表（${esc(c.plan.theme_name)}）</h4><ol data-testid="checklist">${
    c.plan.checklist.map(i => `<li>${esc(i.text)} <small class="note">${esc(i.article)}</small></li>`).join("")}</ol>` : "";
  $("c-projects").tBodies[0].innerHTML = c.projects.map(p => `<tr data-testid="coverage-project" data-state="${esc(p.state)}">
    <td>${esc(p.name)}<br><small>${esc(p.project)}</small></td><td>${esc(p.district)}</td>
    <td class="${esc(p.state)}">${esc(p.state_name)}</td><td>${when(p.inspected_at)}</td><td>${esc(p.inspected_by || "—")}</td></tr>`).join("");
  $("c-districts").tBodies[0].innerHTML = c.districts.map(d => counts(d, d.district)).join("");
  $("c-inspectors").tBodies[0].innerHTML = c.inspectors.map(i => counts(i, i.inspector)).join("");
}

async function drawRow(d) {
  const full = await api(`${API}/draws/${d.id}`);
  const result = full.result.map(r => `${esc(r.name)}（${r.inspectors.map(esc).join("、")}）`).join("<br>");
  return `<tr data-testid="draw" data-id="${d.id}"><td>${esc(d.title)}<br><small>完成期限 ${day(d.due_at)}</small></td>
    <td data-testid="drawn-by">${esc(d.drawn_by)}<br><small>${when(d.drawn_at)}</small></td>
    <td>${esc(d.inspector_pool)} / ${esc(d.project_pool)}</td><td><code data-testid="seed">${esc(d.seed)}</code></td>
    <td data-testid="drawn">${result}</td>
    <td data-testid="reproduced" class="${full.reproduced ? "done" : "overdue"}">${full.reproduced ? "以种子重抽，结果一致" : "重抽结果不一致"}</td>
    <td>${d.published_at ? `<span data-testid="published">已公示 ${day(d.published_at)}</span>`
      : `<button data-publish="${d.id}">公示</button>`}</td></tr>`;
}

async function loadDraws() {
  const draws = await api(`${API}/draws`);
  $("draws").tBodies[0].innerHTML = (await Promise.all(draws.map(drawRow))).join("") || `<tr><td colspan="7" class="note">无</td></tr>`;
  $("draws").querySelectorAll("button[data-publish]").forEach(b => b.onclick = async () => {
    try { await post(`${API}/draws/${b.dataset.publish}/publish`, {}); flash("已在公开页面公示", true); loadDraws(); }
    catch (e) { flash(e.message); }
  });
}

async function showPool(pool) {
  const p = await api(`${API}/pools/${encodeURIComponent(pool)}`);
  $("pool-view").textContent = `名录 ${p.pool}：执法检查人员 ${p.inspectors.join("、") || "无"}；检查对象 ${p.projects.join("、") || "无"}`;
}

// each form: its button, what it sends, and what it says when done
const act = (button, send, done) => { $(button).onclick = async () => {
  try { await send(); flash(done, true); } catch (e) { flash(e.message); }
}; };
act("p-save", async () => {
  const body = {kind: $("p-kind").value, title: val("p-title"), place: val("p-place"), due: val("p-due"), starts: val("p-starts") || null};
  if (body.kind === "theme") body.theme = $("p-theme").value;
  await post(`${API}/plans`, body);
  await loadPlans();
}, "计划已新建");
act("m-save", async () => {
  const members = val("m-members").split(/[\s,，、]+/).filter(Boolean);
  await post(`${API}/pools/${encodeURIComponent(val("m-pool"))}`, {kind: $("m-kind").value, members});
  await showPool(val("m-pool"));
}, "已加入名录");
act("r-save", () => post(`${API}/recusals`, {inspector: val("r-inspector"), project: val("r-project") || null,
  company: val("r-company") || null, reason: val("r-reason")}), "回避已登记");
act("d-save", async () => {
  await post(`${API}/draws`, {title: val("d-title"), inspector_pool: val("d-ipool"), project_pool: val("d-ppool"),
    projects: +val("d-n") || 1, per_project: +val("d-k") || 1, due: val("d-due")});
  await Promise.all([loadDraws(), loadPlans()]);
}, "已随机抽取，种子已记录");
$("p-theme").disabled = true;
$("p-kind").onchange = () => { $("p-theme").disabled = $("p-kind").value !== "theme"; };

api("/ui/api/me").then(async me => {
  if (me.role === "project") {  // the authority's plans: a site's users have none (and are told so)
    for (const id of ["plan-card", "draw-card"]) $(id).hidden = true;
    flash("检查计划和双随机抽查属于监管部门，项目账号无此功能");
    return;
  }
  await Promise.all([loadPlans(), loadDraws()]);
}).catch(e => flash(e.message));
