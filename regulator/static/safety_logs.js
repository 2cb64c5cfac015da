// the page safety_logs.html's script, served from /ui/page/safety_logs.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
const STATUS = {received: "已报", late: "迟报", missing: "缺报", due: "未到期"};
const ROLE = {project_manager: "项目负责人", safety_officer: "专职安全员", chief_supervisor: "总监理工程师", technical_lead: "项目技术负责人"};
const when = ts => ts ? new Date(ts * 1000).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai"}) : "";
function cell(tr, text, cls) { const td = tr.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
async function show() {
  const q = new URLSearchParams({project: document.getElementById("project").value.trim(), days: document.getElementById("days").value});
  const r = await fetch("/ui/api/safety-logs?" + q);
  const body = document.querySelector("#logs tbody"); body.replaceChildren();
  if (!r.ok) { cell(body.insertRow(), (await r.json()).error || r.statusText); return; }
  for (const d of await r.json()) {
    const tr = body.insertRow();
    const a = cell(tr, `${d.project_name || d.project}（${d.project}）`);
    a.style.cursor = "pointer"; a.onclick = () => lookBack(d.project);
    cell(tr, d.day); cell(tr, STATUS[d.status], d.status); cell(tr, d.signed_by); cell(tr, when(d.signed_at));
  }
}
async function lookBack(project) {
  const r = await fetch(`/ui/api/key-attendance/${encodeURIComponent(project)}`);
  const body = document.querySelector("#people tbody"); body.replaceChildren();
  const a = await r.json();
  if (!r.ok) { document.getElementById("lookback-head").textContent = a.error; return; }
  document.getElementById("lookback-head").textContent =
    `${project}：${a.since} 至 ${a.until}，施工日 ${a.working_days} 天，网关上报 ${a.days_reported} 天`;
  for (const p of a.people) {
    const tr = body.insertRow();
    cell(tr, p.name); cell(tr, ROLE[p.role] || p.role); cell(tr, p.days_on_site); cell(tr, p.minutes);
    cell(tr, (p.share * 100).toFixed(1) + " %" + (p.below_pm_share ? "（不足80%）" : ""), p.below_pm_share ? "below" : "");
  }
}
document.getElementById("show").onclick = show;
show();
