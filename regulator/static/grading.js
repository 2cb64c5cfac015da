// the page grading.html's script, served from /ui/page/grading.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in; its
// helpers ($, esc, api, flash, dayOf) are common.js's
const place = new URLSearchParams(location.search).get("place") || "";
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
$("s-save").onclick = async () => {
  const at = dayOf("s-date");
  if (at === null) return;
  const body = {project: $("s-project").value.trim(), person: $("s-person").value.trim(), certificate: $("s-certificate").value.trim(),
                role: $("s-role").value, points: +$("s-points").value || 0, rule_item: $("s-item").value.trim(), happened_at: at};
  try { const r = await api("/ui/api/enforcement/scores", {method: "POST", body: JSON.stringify(body)}); flash(`已记分 #${r.id}`, true); load(); }
  catch (e) { flash(e.message); }
};
(async () => {
  let me;
  try { me = await api("/ui/api/me"); } catch (e) { return; }
  $("record-card").hidden = $("score-form").hidden = me.role === "project";
  load();
})();
