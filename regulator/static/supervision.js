// Listed supervision (挂牌督办, regulator/ledger/supervision.py) in the review UI: the 挂牌督办 view, and on a hazard's
// detail its listings with their notices (PDF), listing by hand, a stop-work order, and re-inspection
// (复查) with a photo and a note, the only way a listed hazard is closed (销号).
// Loaded after index.html's script: it uses that script's api, esc, time, flash, readFile, me, $.
"use strict";

const LISTING_STATES = {listed: "挂牌督办中", escalated: "逾期已提级", closed: "已销号"};
const LISTING_LEVELS = {district: "区县级", city: "市级", province: "省级"};
const NOTICE_KINDS = {rectify: "整改通知书", stop_work: "停工整改通知书"};
Object.assign(ACTIONS, {list: "挂牌督办", notice: "下达通知书", escalate_listing: "督办逾期提级"});

function noticeLinks(listing) {
  return listing.notices.map(n => `<a href="${esc(n.pdf_url)}" target="_blank" class="notice-link" data-testid="notice-link"
    data-kind="${esc(n.kind)}">${esc(n.kind_name)} ${esc(n.number)}</a>`).join("<br>");
}

async function loadListings() {
  const p = new URLSearchParams({state: $("l-state").value});
  if ($("l-mine").checked) p.set("escalated_to_me", "true");
  let found;
  try { found = await api("/ui/api/listings?" + p); } catch (e) { flash(e.message); return; }
  $("l-policy").textContent = `督办期限：县级 ${found.county_days} 日，市级 ${found.city_days} 日（重大隐患一律实行市、县两级挂牌督办）`;
  $("listing-table").tBodies[0].innerHTML = found.listings.map(x => `
    <tr class="row ${x.overdue ? "overdue-row" : ""}" data-testid="listing-row" data-hazard="${esc(x.hazard_id)}" data-level="${esc(x.level)}"
        data-state="${esc(x.state)}">
      <td class="nowrap">${esc(x.level_name)}<br><small>${esc(x.authority_name)}</small></td>
      <td>${esc(x.project_name)}<br><span class="code">${esc(x.project)}</span></td>
      <td>${x.peak_text ? `峰值 ${esc(x.peak_text)}（${esc(time(x.peak_ts))}）<br>` : ""}${esc(x.peak_message || x.message)}</td>
      <td>${noticeLinks(x)}</td>
      <td class="nowrap ${x.overdue ? "overdue" : ""}">${esc(time(x.deadline))}${x.overdue ? " 逾期" : ""}</td>
      <td class="nowrap" data-testid="listing-state">${esc(x.state_name)}${x.escalated_to ? `<br><small>提级至 ${esc(x.escalated_to)}</small>` : ""}</td>
      <td class="nowrap">${STATES[x.hazard_state] || esc(x.hazard_state)}</td>
    </tr>`).join("") || `<tr><td colspan="7"><em>无挂牌督办隐患</em></td></tr>`;
  [...$("listing-table").tBodies[0].rows].forEach(r => r.onclick = (e) => {
    if (e.target.closest("a") || !r.dataset.hazard) return;
    showTab("queue"); showHazard(+r.dataset.hazard);
  });
}
$("l-go").onclick = loadListings;

// on a hazard's detail: its listings, and what a regulator may do about them
async function showSupervision(h) {
  const box = $("supervision-box");
  if (!box) return;
  let found;
  try { found = (await api(`/ui/api/listings?state=all&hazard=${h.id}`)).listings; } catch (e) { flash(e.message); return; }
  const rank = Object.keys(LISTING_LEVELS);
  found.sort((a, b) => rank.indexOf(a.level) - rank.indexOf(b.level));
  const open = found.filter(x => x.state !== "closed");
  const reg = ["regulator", "admin"].includes(me.role), live = !["closed", "dismissed"].includes(h.state);
  let out = found.map(x => `<div data-testid="hazard-listing" data-level="${esc(x.level)}" data-state="${esc(x.state)}">
      <b>${esc(x.level_name)}挂牌督办</b>（${esc(x.authority_name)}）· ${esc(x.state_name)} · 期限 ${esc(time(x.deadline))}
      ${x.escalated_to ? ` · 提级至 ${esc(x.escalated_to)}` : ""}<br>${noticeLinks(x)}
      ${reg && x.state !== "closed" ? ` <button class="act warn" data-stop="${esc(x.id)}">下达停工整改通知书</button>` : ""}</div>`).join("");
  if (reg && live) out += `<div>挂牌 <select id="l-level">${Object.entries(LISTING_LEVELS).map(([k, v]) =>
      `<option value="${k}">${v}</option>`).join("")}</select>
    <select id="l-kind">${Object.entries(NOTICE_KINDS).map(([k, v]) => `<option value="${k}">${v}</option>`).join("")}</select>
    <button class="act" id="l-list">挂牌督办</button></div>`;
  if (reg && open.length && h.state === "reported") out += `<div data-testid="reinspect">复查意见 <input id="ri-note" size="24" placeholder="复查情况 (必填)">
    复查照片 <input id="ri-photo" type="file" accept="image/jpeg">
    <button class="act" id="ri-pass">复查合格 销号</button> <button class="act warn" id="ri-fail">复查不合格</button></div>`;
  box.innerHTML = out || "<em>未挂牌督办</em>";
  if (open.length) $("actions").querySelector('button[data-do="close"]')?.remove();  // closed only by re-inspection
  const done = async (what) => { flash(`${what}: 已完成`, true); await showHazard(h.id); loadQueue(); };
  box.querySelectorAll("button[data-stop]").forEach(b => b.onclick = async () => {
    try { await api(`/ui/api/listings/${b.dataset.stop}/notices`, {method: "POST", body: JSON.stringify({kind: "stop_work"})}); }
    catch (e) { flash(e.message); return; }
    done("下达停工整改通知书");
  });
  if ($("l-list")) $("l-list").onclick = async () => {
    try { await api(`/ui/api/hazards/${h.id}/listings`, {method: "POST", body: JSON.stringify({level: $("l-level").value, kind: $("l-kind").value})}); }
    catch (e) { flash(e.message); return; }
    done("挂牌督办");
  };
  for (const [id, passed] of [["ri-pass", true], ["ri-fail", false]]) if ($(id)) $(id).onclick = async () => {
    const photo = await readFile($("ri-photo"));
    try {
      await api(`/ui/api/hazards/${h.id}/reinspect`, {method: "POST", body: JSON.stringify({passed, note: $("ri-note").value, photo: photo || ""})});
    } catch (e) { flash(e.message); return; }
    done(passed ? "复查合格 销号" : "复查不合格");
  };
}
