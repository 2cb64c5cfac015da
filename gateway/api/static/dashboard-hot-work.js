"use strict";
// ---- hot-work permits (动火许可证, gateway/api/routes_hot_work.py; docs/standards.md §18): the register with
// each permit's state; a supervisor issues one after confirming its measures on the spot, and closes it with
// the post-work check
Object.assign(T.zh, {hw_title:"动火作业许可", hw_none:"暂无动火许可证", hw_issue:"签发动火许可证", hw_close:"检查并关闭",
  hw_login:"安全员登录后可签发或关闭许可证", hw_place:"动火地点", hw_start:"开始", hw_end:"结束", hw_operator:"作业人",
  hw_cert:"证书编号", hw_until:"证书有效至", hw_watch:"监火人", hw_badge:"监火人工号", hw_ext:"灭火器（具）",
  hw_ext_ok:"灭火器已检查", hw_cleared:"可燃物已清理或覆盖", hw_outdoor:"露天", hw_confirm_close:"确认已检查 {id} 作业点及周边、无火灾危险？",
  hw_upcoming:"未开始", hw_in_force:"作业中", hw_expired:"已过期", hw_unclosed:"待检查关闭", hw_closed:"已关闭", hw_signed:"签发"});
Object.assign(T.en, {hw_title:"Hot-work permits", hw_none:"No hot-work permit", hw_issue:"Issue a permit", hw_close:"Check and close",
  hw_login:"A supervisor who logs in can issue or close permits", hw_place:"place", hw_start:"start", hw_end:"end", hw_operator:"operator",
  hw_cert:"certificate no.", hw_until:"valid until", hw_watch:"fire watch", hw_badge:"fire watch badge", hw_ext:"extinguishers",
  hw_ext_ok:"extinguishers checked", hw_cleared:"combustibles cleared or covered", hw_outdoor:"open air", hw_confirm_close:"Checked the place of {id} and around it: no fire risk left?",
  hw_upcoming:"upcoming", hw_in_force:"in force", hw_expired:"expired", hw_unclosed:"to be checked", hw_closed:"closed", hw_signed:"signed"});
let hwPermits = [], hwDrawn = "";
const HW_TAG = {upcoming: "idle", in_force: "pouring", expired: "alarm", unclosed: "warning", closed: "idle"};
const hwTime = iso => new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
function hwForm() {
  const field = (id, type, extra) => `<label>${esc(t(id))} <input id="${id}" type="${type}" ${extra || ""}></label>`;
  return `<details id="hw-form"><summary>${esc(t("hw_issue"))}</summary><form id="hw-issue">
    ${field("hw_place", "text", "required maxlength=100")} ${field("hw_start", "datetime-local", "required")} ${field("hw_end", "datetime-local", "required")}
    ${field("hw_operator", "text", "required maxlength=50")} ${field("hw_cert", "text", "required maxlength=64")} ${field("hw_until", "date", "required")}
    ${field("hw_watch", "text", "required maxlength=50")} ${field("hw_badge", "text", "required maxlength=64")} ${field("hw_ext", "number", "min=0 max=100 value=2")}
    ${field("hw_ext_ok", "checkbox")} ${field("hw_cleared", "checkbox")} ${field("hw_outdoor", "checkbox")}
    <button class="primary" type="submit">${esc(t("hw_issue"))}</button></form></details>`;
}
function drawHotWork() {
  $("hw-title").textContent = t("hw_title");
  const drawn = JSON.stringify([hwPermits, canSupervise(), lang]);
  if (drawn === hwDrawn) return;  // redrawn only when the register changes: a form being filled is kept
  hwDrawn = drawn;
  const rows = hwPermits.map(p => {
    const close = canSupervise() && ["in_force", "expired", "unclosed"].includes(p.state)
      ? `<button class="hw-close" data-id="${esc(p.id)}">${esc(t("hw_close"))}</button>` : "";
    return `<div class="formwork" data-permit="${esc(p.id)}" data-state="${p.state}"><b>${esc(p.id)}</b> ${esc(p.place)}${p.outdoor ? ` (${t("hw_outdoor")})` : ""}
      <span class="dim">${hwTime(p.start)} — ${hwTime(p.end)} · ${t("hw_operator")} ${esc(p.operator.name)} ${esc(p.operator.certificate_no)}
      · ${t("hw_watch")} ${esc(p.fire_watch.name)} · ${t("hw_signed")} ${esc(p.signer)}</span>
      <div class="pour"><span class="tag ${HW_TAG[p.state]}">${t("hw_" + p.state)}</span><span class="spacer"></span>${close}</div>
      ${p.expired_reason ? `<div class="hw-expired">${esc(p.expired_reason)}</div>` : ""}</div>`;
  }).join("") || `<div class="dim">${t("hw_none")}</div>`;
  $("hot-work").innerHTML = rows + (canSupervise() ? hwForm() : `<span class="dim">${t("hw_login")}</span>`);
  $("hot-work").querySelectorAll(".hw-close").forEach(b => b.onclick = () => hwClose(b.dataset.id));
  if ($("hw-issue")) $("hw-issue").onsubmit = e => { e.preventDefault(); hwIssue(); };
}
const hwIso = local => new Date(local).toISOString();  // the browser's zone: the API takes any offset
async function hwIssue() {
  const v = id => $(id).value.trim();
  await hwAct("api/v1/hot-work", {place: v("hw_place"), start: hwIso(v("hw_start")), end: hwIso(v("hw_end")),
    operator: {name: v("hw_operator"), certificate_no: v("hw_cert"), valid_until: v("hw_until")},
    fire_watch: {name: v("hw_watch"), person_id: v("hw_badge")}, extinguishers: Number(v("hw_ext")),
    extinguishers_checked: $("hw_ext_ok").checked, combustibles_cleared: $("hw_cleared").checked, outdoor: $("hw_outdoor").checked}, hwIssue);
}
async function hwClose(id) {
  if (!confirm(t("hw_confirm_close").replace("{id}", id))) return;
  await hwAct(`api/v1/hot-work/${encodeURIComponent(id)}/close`, {checked: true}, () => hwClose(id));
}
async function hwAct(path, body, again) {
  try { await api(path, {method: "POST", body: JSON.stringify(body)}); hwDrawn = ""; }
  catch (e) {
    if (e.status === 401) { askLogin(again); return; }
    alert(e.status === 403 ? t("need_super") : typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail || e.message));
    return;
  }
  loadHotWork();
}
async function loadHotWork() {
  try { hwPermits = await api("api/v1/hot-work"); } catch (_) { /* the next round retries */ }
  drawHotWork();
}
$("lang").addEventListener("click", () => { hwDrawn = ""; drawHotWork(); });
document.addEventListener("sitegw-me", () => { hwDrawn = ""; loadHotWork(); });  // logged in or out
setInterval(loadHotWork, 10000);
loadHotWork();
