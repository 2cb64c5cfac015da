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
    // the levels as the places say them (a district forwards to its city, a city to its province)
    const level = u.parent_level || "level above";
    $("up-title").textContent = `向${u.parent_name}平台转报 · To the ${level}`;
    $("up-held-note").textContent = `${u.parent_name}平台因重试无法解决的原因拒收的记录：暂存本${u.own_name}，其后的记录照常转报。改正原因（如重新登记项目所在地）后自动重新转报，或点“重新转报”。`;
    $("up-link").innerHTML = `本${esc(u.own_name)}编号 ${esc(u.city_id)} → <code>${esc(u.province_url)}</code>　最近联系 last contact: <strong data-testid="forwarding-contact">${at(u.contact_at)}</strong>
      　待转报 backlog: <strong data-testid="forwarding-backlog">${esc(u.backlog)}</strong>　隔离 set aside: <strong class="${u.held.length ? "late" : "ok"}">${esc(u.held.length)}</strong>`;
    $("up-held").innerHTML = u.held.map(h => `<tr data-testid="held-row" data-ref="${esc(h.ref)}"><td>${esc(h.kind)} ${esc(h.ref)}</td><td>${esc(h.project)}</td>
      <td><strong>${esc(h.what_to_do)}</strong><div class="mute">${esc(h.code)} · ${esc(h.reason)}</div></td>
      <td>${esc(h.refusals)} 次<div class="mute">${at(h.first_at)} – ${at(h.last_at)}</div></td>
      <td>${h.project ? `<button class="rel" data-project="${esc(h.project)}">重新转报 Release</button>` : ""}</td></tr>`).join("")
      || `<tr><td colspan="5" class="ok">无 · none: the ${esc(level)} kept everything it was sent</td></tr>`;
    document.querySelectorAll("#up-held button.rel").forEach(b => b.onclick = () => release(b.dataset.project));
  }
  if (s.cities.length) {
    $("down").hidden = false;
    const below = [...new Set(s.cities.map(c => c.level_name))].join("、");
    $("down-title").textContent = `向本平台转报的${below}平台 · ${[...new Set(s.cities.map(c => c.level || "platform"))].join(", ")} platforms forwarding here`;
    $("down-cities").innerHTML = s.cities.map(c => `<tr data-testid="city-row" data-city="${esc(c.id)}"><td>${esc(c.name)}<div class="mute">${esc(c.id)}</div></td>
      <td>${esc(c.jurisdiction)}</td><td data-testid="city-url" data-linked="${c.linked}">${c.linked
        ? `<code>${esc(c.public_url)}</code><div class="ok">已配置 · link-through on</div>`
        : `<span class="late">未登记 · not set</span><div class="mute">本平台用户无法查看其证据：sitegw regulator add-city ${esc(c.id)} --url https://…/</div>`}</td><td>${at(c.last_seen_at)}</td><td>${esc(c.backlog ?? "—")}</td>
      <td>${c.refused.map(r => `<div class="late">${esc(r.kind)} ${esc(r.ref)} · ${esc(r.code)}</div><div class="mute">${esc(r.reason)}</div>`).join("") || '<span class="ok">无</span>'}</td></tr>`).join("");
  }
  if (!s.up && !s.cities.length) say("本平台未向上级转报，也没有下级平台向本平台转报 · this platform forwards to no level above and none forwards to it");
}
$("up-release-all").onclick = () => release(null);
load();
