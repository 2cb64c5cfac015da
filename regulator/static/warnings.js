// the page warnings.html's script, served from /ui/page/warnings.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
const $ = id => document.getElementById(id);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const at = ts => ts == null ? "" : new Date(ts * 1000).toLocaleString("zh-CN", {hour12: false});
async function api(path, opts = {}) {
  const r = await fetch(path, Object.assign({credentials: "same-origin", headers: {"Content-Type": "application/json"}}, opts));
  const body = await r.json().catch(() => ({}));
  if (!r.ok) { const e = new Error(body.error || body.detail || r.statusText); e.status = r.status; throw e; }
  return body;
}
const sig = w => `<span class="sig ${esc(w.colour)}">${esc(w.title)}</span>`;
const span = w => `${at(w.valid_from)} – ${w.valid_to == null ? "解除为止" : at(w.valid_to)}`;
async function loadList() {
  const {warnings} = await api("/ui/api/weather-warnings");
  $("w-list").innerHTML = warnings.map(w => `<tr class="pick" data-id="${esc(w.id)}" data-testid="warning-row">
    <td>${esc(w.id)}</td><td>${sig(w)}${w.in_force ? "" : ' <span class="mute">未生效/已结束</span>'}</td><td>${esc(w.jurisdiction)}</td><td>${span(w)}</td>
    <td>${esc(w.sites)}</td><td>${esc(w.received)}</td><td>${esc(w.acknowledged)}</td><td class="${w.kept_working ? "no" : ""}">${esc(w.kept_working)}</td></tr>`).join("")
    || '<tr><td colspan="8" class="mute">暂无</td></tr>';
  document.querySelectorAll("#w-list tr.pick").forEach(tr => tr.onclick = () => showWarning(Number(tr.dataset.id)));
}
async function showWarning(id) {
  const w = await api(`/ui/api/weather-warnings/${id}`);
  const sites = w.site_list.map(s => `<tr data-testid="warning-site" data-project="${esc(s.project)}"><td>${esc(s.name)}<div class="mute">${esc(s.project)} · ${esc(s.district)}</div></td>
    <td>${s.received_at == null ? '<span class="no">未接收</span>' : at(s.received_at)}</td>
    <td>${s.acked_at == null ? '<span class="no">未确认</span>' : `${esc(s.acked_by)} ${at(s.acked_at)}`}</td></tr>`).join("");
  const kept = w.kept_working_list.map(k => `<tr data-testid="kept-working"><td><a href="${esc(k.link)}">隐患 #${esc(k.hazard_id)}</a></td>
    <td>${esc(k.project)} · ${esc(k.device)}</td><td>${esc(k.message)}<div class="mute">读数 ${esc(k.value)} ${esc(k.unit)} · ${esc(k.clause)}</div></td>
    <td>${at(k.first_ts)} – ${at(k.last_ts)}</td><td>${esc(k.state)}</td></tr>`).join("");
  $("detail").hidden = false;
  $("detail").innerHTML = `<h3>${sig(w)} #${esc(w.id)} ${esc(w.jurisdiction)}</h3>
    <p>有效期 ${span(w)}　发布 ${esc(w.issued_by)} ${at(w.issued_at)}
    ${w.valid_to == null || w.valid_to * 1000 > Date.now() ? '<button id="w-lift">解除预警 Lift</button>' : ""}</p><p>要求措施：${esc(w.measure)}</p>
    <h4>各项目接收与确认（${esc(w.received)}/${esc(w.sites)} 已接收，${esc(w.acknowledged)}/${esc(w.sites)} 已确认）</h4>
    <table><thead><tr><th>项目</th><th>接收</th><th>确认（安全员、时间）</th></tr></thead><tbody>${sites || '<tr><td colspan="3" class="mute">辖区内无项目</td></tr>'}</tbody></table>
    <h4>停工期间仍在作业（冒险作业，建质规〔2024〕5号 第十五条(二)）</h4>
    <table><thead><tr><th>隐患</th><th>项目 · 设备</th><th>告警与读数</th><th>时间</th><th>状态</th></tr></thead><tbody>${kept || '<tr><td colspan="5" class="mute">无</td></tr>'}</tbody></table>`;
  if ($("w-lift")) $("w-lift").onclick = async () => {
    try { await api(`/ui/api/weather-warnings/${id}/lift`, {method: "POST"}); await loadList(); showWarning(id); }
    catch (e) { $("w-msg").innerHTML = `<span class="err">${esc(e.message)}</span>`; }
  };
}
const when = v => v ? new Date(v).toISOString() : null;  // datetime-local is the browser's time: sent with its offset
$("w-issue").onclick = async () => {
  $("w-msg").textContent = "";
  try {
    const w = await api("/ui/api/weather-warnings", {method: "POST", body: JSON.stringify({
      type: $("w-type").value, colour: $("w-colour").value, jurisdiction: $("w-place").value.trim(),
      measure: $("w-measure").value.trim(), valid_from: when($("w-from").value), valid_to: when($("w-to").value)})});
    $("w-msg").textContent = `已发布 #${w.id} ${w.title}`;
    await loadList(); showWarning(w.id);
  } catch (e) { $("w-msg").innerHTML = `<span class="err">${esc(e.message)}</span>`; }
};
async function start() {
  try { await api("/ui/api/me"); }
  catch (e) { $("login-needed").hidden = false; $("issue-card").hidden = true; return; }
  await loadList();
  const linked = location.hash.match(/^#(\d+)$/);
  if (linked) showWarning(Number(linked[1]));
}
start();
