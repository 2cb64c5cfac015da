// the page forwarding.html's script, served from /ui/page/forwarding.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
const $ = id => document.getElementById(id);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const at = ts => ts == null ? "从未 never" : new Date(ts * 1000).toLocaleString("zh-CN", {hour12: false});
async function api(path, opts = {}) {
  const r = await fetch(path, Object.assign({credentials: "same-origin", headers: {"Content-Type": "application/json"}}, opts));
  const body = await r.json().catch(() => ({}));
  if (!r.ok) { const e = new Error(body.error || body.detail || r.statusText); e.status = r.status; throw e; }
  return body;
}
function say(html) { $("f-msg").hidden = false; $("f-msg").innerHTML = html; }
async function release(project) {
  try {
    const {released} = await api("/ui/api/forwarding/release", {method: "POST", body: JSON.stringify({project})});
    say(`已重新排队 ${esc(released)} 条记录 · ${esc(released)} records queued again`);
    await load();
  } catch (e) { say(`<span class="err">${esc(e.message)}</span>`); }
}
async function load() {
  let s;
  try { s = await api("/ui/api/forwarding"); }
  catch (e) { say(e.status === 401 ? '请先 <a href="/">登录</a>（sign in first）。' : `<span class="err">${esc(e.message)}</span>`); return; }
  if (s.up) {
    const u = s.up;
    $("up").hidden = false;
    $("up-link").innerHTML = `本市编号 ${esc(u.city_id)} → <code>${esc(u.province_url)}</code>　最近联系 last contact: <strong data-testid="forwarding-contact">${at(u.contact_at)}</strong>
      　待转报 backlog: <strong data-testid="forwarding-backlog">${esc(u.backlog)}</strong>　隔离 set aside: <strong class="${u.held.length ? "late" : "ok"}">${esc(u.held.length)}</strong>`;
    $("up-held").innerHTML = u.held.map(h => `<tr data-testid="held-row" data-ref="${esc(h.ref)}"><td>${esc(h.kind)} ${esc(h.ref)}</td><td>${esc(h.project)}</td>
      <td><strong>${esc(h.what_to_do)}</strong><div class="mute">${esc(h.code)} · ${esc(h.reason)}</div></td>
      <td>${esc(h.refusals)} 次<div class="mute">${at(h.first_at)} – ${at(h.last_at)}</div></td>
      <td>${h.project ? `<button class="rel" data-project="${esc(h.project)}">重新转报 Release</button>` : ""}</td></tr>`).join("")
      || '<tr><td colspan="5" class="ok">无 · none: the province kept everything it was sent</td></tr>';
    document.querySelectorAll("#up-held button.rel").forEach(b => b.onclick = () => release(b.dataset.project));
  }
  if (s.cities.length) {
    $("down").hidden = false;
    $("down-cities").innerHTML = s.cities.map(c => `<tr data-testid="city-row" data-city="${esc(c.id)}"><td>${esc(c.name)}<div class="mute">${esc(c.id)}</div></td>
      <td>${esc(c.jurisdiction)}</td><td>${at(c.last_seen_at)}</td><td>${esc(c.backlog ?? "—")}</td>
      <td>${c.refused.map(r => `<div class="late">${esc(r.kind)} ${esc(r.ref)} · ${esc(r.code)}</div><div class="mute">${esc(r.reason)}</div>`).join("") || '<span class="ok">无</span>'}</td></tr>`).join("");
  }
  if (!s.up && !s.cities.length) say("本平台未向省级转报，也没有城市向本平台转报 · this platform forwards to no province and no city forwards to it");
}
$("up-release-all").onclick = () => release(null);
load();
