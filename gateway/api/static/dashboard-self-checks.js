"use strict";
// ---- company self-checks (企业自查, gateway/api/routes_self_checks.py): a supervisor records what the site found;
// the gateway keeps it on disk and delivers it to the regulator, where it enters the hazard ledger once
Object.assign(T.zh, {sc_title:"企业自查上报", sc_desc:"发现的隐患", sc_std:"标准", sc_art:"条款", sc_item:"款", sc_photo:"照片",
  sc_send:"上报监管部门", sc_login:"安全员登录后可上报自查隐患", sc_pending:"待发送", sc_delivered:"已送达，监管隐患编号",
  sc_dead:"被监管平台拒收", sc_none:"暂无自查记录", sc_failed:"次发送失败"});
Object.assign(T.en, {sc_title:"Self-checks to the regulator", sc_desc:"what was found", sc_std:"standard", sc_art:"article",
  sc_item:"item", sc_photo:"photo", sc_send:"Send to the regulator", sc_login:"A supervisor who logs in can send self-checks",
  sc_pending:"waiting", sc_delivered:"delivered, regulator's hazard", sc_dead:"refused by the regulator", sc_none:"No self-checks yet",
  sc_failed:"failed attempts"});
let selfChecks = [], scDrawn = "";
function deliveryText(d) {
  if (d.state === "delivered") return `${t("sc_delivered")} ${d.hazard_id}`;
  if (d.state === "dead") return `${t("sc_dead")}: ${d.answer}`;
  return t("sc_pending") + (d.attempts ? ` (${d.attempts} ${t("sc_failed")})` : "");
}
function drawSelfChecks() {
  $("sc-title").textContent = t("sc_title");
  const form = canSupervise() ? `<div class="pour" id="sc-form"><input id="sc-desc" placeholder="${esc(t("sc_desc"))}" size="28">
      <input id="sc-std" placeholder="${esc(t("sc_std"))}" value="建质规〔2024〕5号" size="14"><input id="sc-art" placeholder="${esc(t("sc_art"))}" size="6">
      <input id="sc-item" placeholder="${esc(t("sc_item"))}" size="3"><input id="sc-photo" type="file" accept="image/jpeg" title="${esc(t("sc_photo"))}">
      <button class="primary" id="sc-send">${esc(t("sc_send"))}</button></div>` : `<span class="dim">${t("sc_login")}</span>`;
  const list = selfChecks.slice(0, 10).map(c => `<li data-check="${esc(c.check_id)}"><b>${esc(c.description)}</b> <span class="dim">${esc(c.found_by)}</span>
      ${c.deliveries.map(d => `<div class="sc-state" data-state="${esc(d.state)}">${esc(d.uplink)}: ${esc(deliveryText(d))}</div>`).join("")}</li>`).join("");
  const drawn = JSON.stringify([canSupervise(), lang]);
  if (drawn !== scDrawn) {  // the form is rebuilt only when the user or language changes: typing is kept
    scDrawn = drawn;
    $("self-checks").innerHTML = `${form}<ul id="sc-list"></ul>`;
    if ($("sc-send")) $("sc-send").onclick = sendSelfCheck;
  }
  $("sc-list").innerHTML = list || `<li class="dim">${t("sc_none")}</li>`;
}
async function loadSelfChecks() {
  try { selfChecks = await api("api/v1/self-checks"); } catch (_) { /* the next round retries */ }
  drawSelfChecks();
}
function photoOf(input) {
  return new Promise((ok, fail) => {
    if (!input.files.length) return ok(null);
    const r = new FileReader(); r.onload = () => ok(r.result.split(",", 2)[1]); r.onerror = fail; r.readAsDataURL(input.files[0]);
  });
}
async function sendSelfCheck() {
  const photo = await photoOf($("sc-photo"));
  const body = {description: $("sc-desc").value, standard: $("sc-std").value, article: $("sc-art").value, item: $("sc-item").value,
                photos: photo ? [photo] : []};
  try {
    await api("api/v1/self-checks", {method: "POST", body: JSON.stringify(body)});
    $("sc-desc").value = ""; $("sc-art").value = ""; $("sc-item").value = ""; $("sc-photo").value = "";
  } catch (e) {
    if (e.status === 401) askLogin(sendSelfCheck); else if (e.status === 403) alert(t("need_super"));
    else alert(typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail || e.message));
  }
  loadSelfChecks();
}
$("lang").addEventListener("click", drawSelfChecks);
document.addEventListener("sitegw-me", loadSelfChecks);  // logged in or out
setInterval(loadSelfChecks, 3000);
loadSelfChecks();
