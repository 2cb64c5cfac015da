// the page national_export.html's script, served from /ui/page/national_export.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
const $ = id => document.getElementById(id);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const at = ts => ts == null ? "" : new Date(ts * 1000).toLocaleString("zh-CN", {hour12: false});
const NAMES = {projects: "项目", hazards: "隐患", listings: "挂牌督办", accidents: "事故险情", enforcement: "执法处罚"};
async function api(path, opts = {}) {
  const r = await fetch(path, Object.assign({credentials: "same-origin", headers: {"Content-Type": "application/json"}}, opts));
  const body = await r.json().catch(() => ({}));
  if (!r.ok) { const e = new Error(body.error || body.detail || r.statusText); e.status = r.status; throw e; }
  return body;
}
const counts = p => Object.entries(p.counts).map(([k, n]) => `${NAMES[k] || esc(k)} ${n}`).join("，");
async function loadList() {
  const {packages} = await api("/ui/api/exports/national");
  $("n-list").innerHTML = packages.map(p => `<tr data-testid="national-row" data-id="${esc(p.id)}">
    <td>${esc(p.id)}</td><td>${esc(p.period_first)} 至 ${esc(p.period_until)}（不含）</td><td>${esc(p.jurisdiction || "全部项目")}</td>
    <td>${esc(p.produced_by)}<div class="mute">${esc(p.produced_at_text)}</div></td><td>${counts(p)}</td><td><code>${esc(p.sha256)}</code></td>
    <td>${p.sent_at == null
      ? `<input size="10" placeholder="报送人" data-sent-by="${esc(p.id)}"> <input type="datetime-local" data-sent-at="${esc(p.id)}" title="报送时间（留空：现在）"> <button data-mark="${esc(p.id)}">标记已报送</button>`
      : `<span class="ok" data-testid="national-sent">已报送</span> ${esc(p.sent_at_text)}<div class="mute">${esc(p.sent_by)}（${esc(p.marked_by)} 登记）</div>`}
      <div><a href="#" data-show="${esc(p.id)}">事故上报状态</a></div></td></tr>`).join("")
    || '<tr><td colspan="7" class="mute">暂无</td></tr>';
  document.querySelectorAll("[data-mark]").forEach(b => b.onclick = () => mark(b.dataset.mark));
  document.querySelectorAll("[data-show]").forEach(a => a.onclick = (e) => { e.preventDefault(); show(a.dataset.show); });
}
function showDetail(p) {
  const rows = p.accidents.map(a => `<tr data-testid="national-accident" data-state="${esc(a.state)}"><td>#${esc(a.id)}</td><td>${esc(a.project_name)}<div class="mute">${esc(a.project)}</div></td>
    <td>${esc(a.kind_name)}</td><td>${at(a.occurred_at)}</td><td>${at(a.deadline)}</td><td>${at(a.reported_at)}</td>
    <td class="${a.state === "late" || a.state === "overdue" ? "late" : a.state === "met" ? "ok" : ""}">${esc(a.state_name)}${a.late_s ? `（迟 ${(a.late_s / 3600).toFixed(1)} 小时）` : ""}</td></tr>`).join("");
  $("detail").hidden = false;
  $("detail").innerHTML = `<h3>${esc(p.id)} 的事故险情 · 全国平台48小时上报</h3>
    <table><thead><tr><th>编号</th><th>项目</th><th>类别</th><th>发生时间</th><th>时限</th><th>报送时间</th><th>状态</th></tr></thead>
    <tbody>${rows || '<tr><td colspan="7" class="mute">本交换包无事故险情</td></tr>'}</tbody></table>`;
}
async function show(id) {
  try { showDetail(await api(`/ui/api/exports/national/${encodeURIComponent(id)}`)); }
  catch (e) { $("n-msg").innerHTML = `<span class="err">${esc(e.message)}</span>`; }
}
async function mark(id) {
  const by = document.querySelector(`[data-sent-by="${CSS.escape(id)}"]`).value.trim();
  const when = document.querySelector(`[data-sent-at="${CSS.escape(id)}"]`).value;
  try {
    const body = {sent_by: by};
    if (when) body.sent_at = new Date(when).getTime() / 1000;  // datetime-local is the browser's time
    const p = await api(`/ui/api/exports/national/${encodeURIComponent(id)}/sent`, {method: "POST", body: JSON.stringify(body)});
    $("n-msg").textContent = `${p.id} 已标记报送`;
    await loadList(); showDetail(p);
  } catch (e) { $("n-msg").innerHTML = `<span class="err">${esc(e.message)}</span>`; }
}
$("n-make").onclick = async () => {
  $("n-msg").textContent = "生成中…";
  try {
    const q = new URLSearchParams({from: $("n-from").value, to: $("n-to").value});
    const r = await fetch("/ui/api/exports/national.zip?" + q, {credentials: "same-origin"});
    if (!r.ok) { const b = await r.json().catch(() => ({})); throw new Error(b.error || r.statusText); }
    const name = decodeURIComponent((r.headers.get("Content-Disposition") || "").split("filename*=UTF-8''")[1] || "package.zip");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(await r.blob()); a.download = name; a.click();
    $("n-msg").textContent = `已生成 ${r.headers.get("X-Package-Id")}`;
    await loadList();
  } catch (e) { $("n-msg").innerHTML = `<span class="err">${esc(e.message)}</span>`; }
};
function lastMonth() {
  const d = new Date(), pad = n => String(n).padStart(2, "0");
  const first = new Date(d.getFullYear(), d.getMonth() - 1, 1);
  $("n-from").value = `${first.getFullYear()}-${pad(first.getMonth() + 1)}-01`;
  $("n-to").value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-01`;
}
async function start() {
  lastMonth();
  try { await api("/ui/api/me"); }
  catch (e) { $("login-needed").hidden = false; $("make-card").hidden = true; return; }
  try { await loadList(); } catch (e) { $("n-msg").innerHTML = `<span class="err">${esc(e.message)}</span>`; $("make-card").hidden = e.status === 403; }
}
start();
