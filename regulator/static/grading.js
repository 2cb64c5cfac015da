// the page grading.html's script, served from /ui/page/grading.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const place = new URLSearchParams(location.search).get("place") || "";
async function api(path, opts = {}) {
  const r = await fetch(path, {credentials: "same-origin", headers: {"Content-Type": "application/json"}, ...opts});
  if (r.status === 401) { location.href = "/"; throw new Error("未登录"); }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || JSON.stringify(body.detail) || r.statusText);
  return body;
}
function flash(text, ok) { $("flash").innerHTML = `<div class="msg ${ok ? "ok" : "err"}">${esc(text)}</div>`; }
const facts = (fs) => fs.map(f => `<div class="fact" data-testid="fact" data-fact="${esc(f.fact)}"><b>${esc(f.fact_name)}</b>
  <span class="src" data-testid="fact-source">${esc(f.source)}</span> ${esc(f.at_text)}<br><small>${esc(f.detail)}</small></div>`).join("");
const duty = (done, n, yes, no) => `<span class="${done ? "done" : "due"}">${done ? yes : no}</span> <small>(${n})</small>`;
async function load() {
  let g;
  try { g = await api("/ui/api/grading?" + new URLSearchParams({place})); } catch (e) { flash(e.message); return; }
  const p = g.policy;
  $("month").textContent = `${g.month} · 共 ${g.projects} 个项目`;
  $("policy").innerHTML = `<ul><li>近 ${esc(p.accident_days)} 天内发生生产安全事故</li><li>近 ${esc(p.deduction_days)} 天动态扣分累计达到 ${esc(p.deduction_points)} 分</li>
    <li>近 ${esc(p.stop_work_days)} 天内被责令停工（或停工中）</li><li>重大事故隐患未按期整改</li>
    <li>近 ${esc(p.sanction_days)} 天内受到行政处罚、约谈或通报（本地规则）</li></ul>`;
  $("insp-n").textContent = p.inspections_per_month; $("rep-n").textContent = p.reports_per_month; $("ratio").textContent = p.publish_ratio;
  $("xlsx").href = "/ui/api/grading.xlsx?" + new URLSearchParams({place});
  $("key-count").textContent = `${g.key_projects.length} 个`;
  $("key-table").tBodies[0].innerHTML = g.key_projects.map(k => `<tr data-testid="key-project" data-code="${esc(k.code)}">
    <td>${esc(k.name)}<br><small>${esc(k.code)}</small></td><td>${esc(k.contractor)}</td><td>${facts(k.facts)}</td>
    <td>${k.stopped ? "<b class=due>停工中</b>" : "—"}</td>
    <td data-testid="inspection-duty">${duty(k.inspection_done, k.inspections, "已检查", "未检查")}</td>
    <td data-testid="report-duty">${duty(k.report_done, k.reports, "已报告", "未报告")}</td></tr>`).join("")
    || `<tr><td colspan="6" class="note">无</td></tr>`;
  $("published").tBodies[0].innerHTML = g.published.map(c => `<tr data-testid="published-company"><td>${esc(c.name)}</td>
    <td class="num">${esc(c.projects)}</td><td class="num">${esc(c.stopped.length)}</td><td class="num">${(c.ratio * 100).toFixed(0)}%</td>
    <td>${c.stopped.map(esc).join("、")}</td></tr>`).join("") || `<tr><td colspan="5" class="note">无</td></tr>`;
  $("companies").tBodies[0].innerHTML = g.companies.map(c => `<tr data-testid="key-company"><td>${esc(c.name)}</td>
    <td class="num">${esc(c.projects)}</td><td>${c.key_projects.map(esc).join("、")}</td><td class="num">${esc(c.deduction_total)}</td></tr>`).join("")
    || `<tr><td colspan="4" class="note">无</td></tr>`;
  $("score-days").textContent = p.score_days; $("score-points").textContent = p.score_points;
  $("scored").tBodies[0].innerHTML = g.scored.map(s => `<tr data-testid="scored-person"><td>${esc(s.person)}</td><td>${esc(s.role_name)}</td>
    <td>${esc(s.certificate)}</td><td class="num">${esc(s.total)}</td><td>${s.records.map(r => esc(`${r.project} ${r.rule_item} ${r.points} 分`)).join("<br>")}</td></tr>`).join("")
    || `<tr><td colspan="5" class="note">无</td></tr>`;
  await loadActions();
  document.body.dataset.ready = "1";
}
$("e-save").onclick = async () => {
  const date = $("e-date").value.trim();
  const at = date ? Date.parse(date + "T00:00:00+08:00") / 1000 : Date.now() / 1000;
  if (Number.isNaN(at)) { flash(`日期 ${date} 不是 yyyy-MM-dd`); return; }
  const body = {project: $("e-project").value.trim(), kind: $("e-kind").value, happened_at: at,
                company: $("e-company").value.trim(), points: +$("e-points").value || 0, note: $("e-note").value.trim()};
  try { const r = await api("/ui/api/enforcement", {method: "POST", body: JSON.stringify(body)}); flash(`已登记 #${r.id}`, true); load(); }
  catch (e) { flash(e.message); }
};
async function loadActions() {
  const rows = await api("/ui/api/enforcement/actions");
  $("actions").tBodies[0].innerHTML = rows.map(a => `<tr data-testid="action" data-kind="${esc(a.kind)}"><td>${esc(a.kind_name)}</td>
    <td>${esc(a.project_name)}<br><small>${esc(a.project)}</small></td><td>${esc(a.party)}</td>
    <td>${esc(a.case_number)}<br><small>${esc(a.article)}</small></td><td class="num">${a.amount ? esc(a.amount) : "—"}</td>
    <td>${esc(a.reason)}</td><td>${esc(a.happened_text)}</td>
    <td>${a.document ? `<a data-testid="action-document" href="${esc(a.document)}" target="_blank">查看</a>` : "—"}</td>
    <td>${a.public ? "公开" : "—"}</td></tr>`).join("") || `<tr><td colspan="9" class="note">无</td></tr>`;
}
const base64Of = (file) => new Promise((ok, fail) => {
  const reader = new FileReader();
  reader.onload = () => ok(String(reader.result).split(",", 2)[1]);
  reader.onerror = () => fail(new Error(`文书 ${file.name} 读取失败`));
  reader.readAsDataURL(file);
});
// a yyyy-MM-dd field as Unix seconds (empty: now); null, with the message shown, when it is no date
function dayOf(id) {
  const date = $(id).value.trim();
  const at = date ? Date.parse(date + "T00:00:00+08:00") / 1000 : Date.now() / 1000;
  if (Number.isNaN(at)) { flash(`日期 ${date} 不是 yyyy-MM-dd`); return null; }
  return at;
}
$("s-save").onclick = async () => {
  const at = dayOf("s-date");
  if (at === null) return;
  const body = {project: $("s-project").value.trim(), person: $("s-person").value.trim(), certificate: $("s-certificate").value.trim(),
                role: $("s-role").value, points: +$("s-points").value || 0, rule_item: $("s-item").value.trim(), happened_at: at};
  try { const r = await api("/ui/api/enforcement/scores", {method: "POST", body: JSON.stringify(body)}); flash(`已记分 #${r.id}`, true); load(); }
  catch (e) { flash(e.message); }
};
$("a-save").onclick = async () => {
  const at = dayOf("a-date");
  if (at === null) return;
  const file = $("a-document").files[0];
  try {
    const body = {kind: $("a-kind").value, project: $("a-project").value.trim(), happened_at: at, party: $("a-party").value.trim(),
                  party_kind: $("a-party-kind").value, case_number: $("a-case").value.trim(), article: $("a-article").value.trim(),
                  amount: +$("a-amount").value || 0, reason: $("a-reason").value.trim(), public: $("a-public").checked,
                  document: file ? await base64Of(file) : null};
    const r = await api("/ui/api/enforcement/actions", {method: "POST", body: JSON.stringify(body)});
    flash(`已登记 #${r.id}`, true); load();
  } catch (e) { flash(e.message); }
};
(async () => {
  let me;
  try { me = await api("/ui/api/me"); } catch (e) { return; }
  $("record-card").hidden = $("action-card").hidden = $("score-form").hidden = me.role === "project";
  load();
})();
