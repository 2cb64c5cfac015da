"use strict";
// ---- the daily safety log (施工安全日志, gateway/api/routes_safety_log.py): the gateway drafts the day each evening
// from readings, alerts, windows, gates and papers; the safety officer writes the weather and work, signs, prints
Object.assign(T.zh, {sl_title:"施工安全日志", sl_none:"今日日志尚未生成", sl_draft:"重新生成草稿", sl_save:"保存",
  sl_sign:"签字并上报", sl_pdf:"打印 PDF", sl_weather:"天气", sl_work:"今日施工内容、交底、检查", sl_wind:"最大风速",
  sl_alerts:"报警", sl_open:"未关闭", sl_windows:"浇筑/顶升", sl_confined:"有限空间作业", sl_people:"关键人员到岗",
  sl_papers:"30日内到期证照", sl_signed:"已签字", sl_login:"安全员登录后可编辑并签字", sl_sent:"上报"});
Object.assign(T.en, {sl_title:"Daily safety log", sl_none:"Today's log is not drafted yet", sl_draft:"Draft again", sl_save:"Save",
  sl_sign:"Sign and send", sl_pdf:"Print PDF", sl_weather:"weather", sl_work:"today's work, briefings, checks", sl_wind:"max wind",
  sl_alerts:"alerts", sl_open:"open", sl_windows:"pours/jacking", sl_confined:"confined-space entries", sl_people:"key people on site",
  sl_papers:"papers due in 30 days", sl_signed:"signed", sl_login:"A supervisor who logs in can edit and sign", sl_sent:"sent"});
let slLog = null, slDrawn = "";
const slDay = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);  // the site's (Beijing) day
function drawSafetyLog() {
  $("sl-title").textContent = t("sl_title") + " " + slDay();
  const l = slLog, c = l && l.content, signed = l && l.signed_at;
  const drawn = JSON.stringify([canSupervise(), lang, l && l.drafted_at, signed, l && l.deliveries]);
  if (drawn === slDrawn) return;  // redrawn only when the log changes: typing is kept
  slDrawn = drawn;
  const tools = canSupervise() ? `<button id="sl-draft">${esc(t("sl_draft"))}</button>` : `<span class="dim">${t("sl_login")}</span>`;
  if (!l) { $("safety-log").innerHTML = `<div class="dim">${t("sl_none")}</div>${tools}`; if ($("sl-draft")) $("sl-draft").onclick = () => slAct("/draft", "POST"); return; }
  const open = c.alerts.filter(a => !a.resolved_ts).length;
  const facts = `<div>${t("sl_wind")}: ${c.wind_max_ms == null ? "—" : c.wind_max_ms.toFixed(1) + " m/s"} · ${t("sl_alerts")}: ${c.alerts.length}
    (${t("sl_open")} ${open}) · ${t("sl_windows")}: ${c.windows.length} · ${t("sl_confined")}: ${c.confined.length} · ${t("sl_papers")}: ${c.papers_due.length}</div>
    <div>${t("sl_people")}: ${c.people.map(p => `${esc(p.name)} ${t("cs_min").replace("{n}", p.minutes)}`).join("，")}</div>`;
  const edit = canSupervise() && !signed ? `<div class="pour"><input id="sl-weather" size="10" placeholder="${esc(t("sl_weather"))}" value="${esc(c.weather)}">
    <textarea id="sl-work" rows="2" cols="40" placeholder="${esc(t("sl_work"))}">${esc(c.work)}</textarea>
    <button id="sl-save">${esc(t("sl_save"))}</button> ${tools} <button class="primary" id="sl-sign">${esc(t("sl_sign"))}</button></div>`
    : `<div>${esc(c.weather)} ${esc(c.work)}</div>`;
  const state = signed ? `<div class="sc-state" id="sl-signed">${t("sl_signed")}: ${esc(l.signed_by)} · ${t("sl_sent")}: ${
    Object.entries(l.deliveries).map(([u, s]) => `${esc(u)} ${esc(s)}`).join(", ")}</div>` : "";
  $("safety-log").innerHTML = `${facts}${edit}${state}<button id="sl-pdf">${esc(t("sl_pdf"))}</button>`;
  $("sl-pdf").onclick = slPdf;
  if ($("sl-draft")) $("sl-draft").onclick = () => slAct("/draft", "POST");
  if ($("sl-save")) $("sl-save").onclick = () => slAct("", "PUT", {weather: $("sl-weather").value, work: $("sl-work").value});
  if ($("sl-sign")) $("sl-sign").onclick = async () => { await slAct("", "PUT", {weather: $("sl-weather").value, work: $("sl-work").value}); slAct("/sign", "POST"); };
}
async function slAct(tail, method, body) {
  try {
    slLog = await api(`api/v1/safety-logs/${slDay()}${tail}`, {method, body: body ? JSON.stringify(body) : undefined});
  } catch (e) {
    if (e.status === 401) askLogin(() => slAct(tail, method, body)); else if (e.status === 403) alert(t("need_super"));
    else alert(typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail || e.message));
  }
  drawSafetyLog();
}
async function slPdf() {  // fetched with the token (a link would go without it), then opened to print
  const r = await fetch(`api/v1/safety-logs/${slDay()}/pdf`, {headers: token ? {Authorization: "Bearer " + token} : {}});
  if (!r.ok) { alert(`PDF: ${r.status}`); return; }
  window.open(URL.createObjectURL(await r.blob()), "_blank");
}
async function loadSafetyLog() {
  try { slLog = await api(`api/v1/safety-logs/${slDay()}`); } catch (e) { if (e.status === 404) slLog = null; }
  drawSafetyLog();
}
$("lang").addEventListener("click", () => { slDrawn = ""; drawSafetyLog(); });
document.addEventListener("sitegw-me", () => { slDrawn = ""; loadSafetyLog(); });  // logged in or out
setInterval(loadSafetyLog, 10000);
loadSafetyLog();
