// Patrols as a duty (regulator/ledger/patrol_duty.py): the patrol under way on the wall (start, mark each project
// seen, finish with a summary), a picture opened large with the camera's latest clip, and the coverage tab:
// the video-monitoring set's projects not seen in the period, first.
let duty = null;       // the user's patrol under way, with its sightings; null: none
let dutyRead = false;  // whether it was asked for since sign-in

async function readDuty() {
  const mine = await api("/ui/api/patrols?limit=1");
  duty = mine.length && mine[0].ended_at === null ? await api(`/ui/api/patrols/${mine[0].id}`) : null;
  dutyRead = true;
}
function dutySeenButton(t) {
  return me.role === "project" ? "" : `<span data-duty-project="${esc(t.project)}" data-duty-camera="${esc(t.camera)}"></span>`;
}
function showDuty() {
  const bar = $("pt-duty");
  bar.classList.toggle("hidden", me.role === "project");
  if (!duty) {
    bar.innerHTML = `<button class="act" id="duty-start" data-testid="duty-start">开始巡查</button>
      <span class="note">巡查时逐个标记已看的项目；省级视频监控项目每 7 天至少巡查一次，未巡查的见“巡查覆盖”。</span>`;
    $("duty-start").onclick = async () => {
      try { duty = await api("/ui/api/patrols", {method: "POST"}); } catch (e) { flash(e.message); return; }
      wireDuty();
    };
  } else {
    const found = duty.sightings.filter(s => s.finding || s.hazard_id).length;
    bar.innerHTML = `<span data-testid="duty-status"><b>巡查中</b>（第 ${esc(duty.id)} 次，${esc(time(duty.started_at))} 开始）：已看 ${new Set(duty.sightings.map(s => s.project)).size} 个项目，发现问题 ${found} 处</span>
      <label>巡查小结<input id="duty-note" size="30"></label><button class="act warn" id="duty-finish" data-testid="duty-finish">结束巡查</button>`;
    $("duty-finish").onclick = async () => {
      try { await api(`/ui/api/patrols/${duty.id}/finish`, {method: "POST", body: JSON.stringify({note: $("duty-note").value})}); }
      catch (e) { flash(e.message); return; }
      flash(`巡查已结束（第 ${duty.id} 次）`, true);
      duty = null; wireDuty();
    };
  }
  const seen = new Set(duty ? duty.sightings.map(s => s.project) : []);
  $("pt-wall").querySelectorAll("[data-duty-project]").forEach(el => {
    const project = el.dataset.dutyProject;
    el.closest(".tile").classList.toggle("seen", seen.has(project));
    el.innerHTML = !duty ? "" : seen.has(project) ? `<span class="note" data-testid="patrol-seen-mark">本次已看</span>`
      : `<button class="act" data-testid="patrol-seen">已看</button>`;
    const b = el.querySelector("button");
    if (b) b.onclick = () => dutySaw(project, el.dataset.dutyCamera, "", null);
  });
}
async function dutySaw(project, camera, finding, hazardId) {
  if (!duty) return;
  try {
    const s = await api(`/ui/api/patrols/${duty.id}/sightings`, {method: "POST", body: JSON.stringify({project, camera, finding, hazard_id: hazardId})});
    duty.sightings.push(s);
  } catch (e) { flash(e.message); return; }
  if (!$("patrol").classList.contains("hidden")) showDuty();
}
// a hazard recorded from a camera's picture (channels.js) is the patrol's finding on that project
async function dutySawHazard(project, camera, description, hazardId) { await dutySaw(project, camera, description, hazardId); }

async function wireDuty() {
  $("pt-wall").querySelectorAll("img[data-open-camera]").forEach(i => i.onclick = () => openViewer(i.dataset.openProject, i.dataset.openCamera, i.src));
  if (me.role === "project") { $("pt-duty").classList.add("hidden"); return; }
  if (!dutyRead) { try { await readDuty(); } catch (e) { flash(e.message); return; } }
  showDuty();
}

async function openViewer(project, camera, src) {
  const v = $("pt-viewer");
  v.innerHTML = `<div>${esc(project)} · ${esc(camera)} <button class="act" id="viewer-close">关闭</button></div>
    <img src="${esc(src)}" alt="${esc(camera)}" data-testid="viewer-picture"><div id="viewer-clip" class="note">正在查找最新视频…</div>`;
  v.classList.remove("hidden");
  const close = () => { v.classList.add("hidden"); v.innerHTML = ""; };
  $("viewer-close").onclick = close;
  v.onclick = (e) => { if (e.target === v) close(); };
  const enc = (x) => encodeURIComponent(x);
  const r = await fetch(`/ui/api/patrol/${enc(project)}/${enc(camera)}/clip`, {credentials: "same-origin"});
  if (!$("viewer-clip")) return;  // closed meanwhile
  if (!r.ok) { $("viewer-clip").textContent = "该摄像头暂无报警视频片段"; return; }
  const clip = await r.json();
  $("viewer-clip").outerHTML = `<div>最新报警视频（${esc(time(clip.recorded_at))}）</div>
    <video data-testid="viewer-clip" src="${esc(clip.url)}" controls autoplay muted playsinline></video>`;
}
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && $("pt-viewer")) { $("pt-viewer").classList.add("hidden"); $("pt-viewer").innerHTML = ""; } });

async function loadCoverage() {
  const days = $("cv-days") ? $("cv-days").value : "7";
  const month = $("cv-month") ? $("cv-month").value.trim() : "";
  let c, patrols;
  try {
    c = await api("/ui/api/patrol-coverage?" + new URLSearchParams(month ? {month} : {days}));
    patrols = await api("/ui/api/patrols?limit=20");
  } catch (e) { flash(e.message); return; }
  const row = (m, seen) => `<tr data-testid="${seen ? "coverage-seen-row" : "coverage-unseen-row"}"><td>${esc(m.name)}<br><span class="code">${esc(m.project)}</span></td>
    <td>${esc(m.city)}/${esc(m.district)}</td><td>${esc(m.category_name)}</td>
    <td>${seen ? `${esc(time(m.last_seen_at))}（${esc(m.last_seen_by || "")}）` : `<span class="bad">未巡查</span>`}</td><td class="num">${esc(m.sightings)}</td></tr>`;
  const pct = c.total ? Math.round(100 * c.seen / c.total) : 100;
  $("coverage").innerHTML = `<div class="card filters">
      <label>周期<select id="cv-days"><option value="7">近 7 天</option><option value="14">近 14 天</option><option value="30">近 30 天</option></select></label>
      <label>或月份<input id="cv-month" size="8" placeholder="2026-11"></label><button class="act" id="cv-go">查询</button>
      <span class="note">省级视频监控项目集的每个项目，每个周期至少远程巡查一次；未巡查的排在最前。</span></div>
    <div class="card"><h3 data-testid="coverage-summary">视频监控项目 ${esc(c.total)} 个，已巡查 ${esc(c.seen)} 个（${pct}%），未巡查 ${c.total - c.seen} 个，巡查 ${esc(c.patrols)} 次
      <small class="note">${esc(time(c.since))} 至 ${time(Math.min(c.until, Date.now() / 1000))}</small></h3>
      <table data-testid="coverage-table"><thead><tr><th>项目</th><th>城市/区县</th><th>类别</th><th>最近巡查</th><th class="num">次数</th></tr></thead>
      <tbody>${c.unseen.map(m => row(m, false)).join("")}${c.covered.map(m => row(m, true)).join("")}</tbody></table></div>
    <div class="card"><h3>巡查记录</h3><table data-testid="patrol-records"><thead><tr><th>次</th><th>巡查人</th><th>开始</th><th>结束</th>
      <th class="num">项目</th><th class="num">发现</th><th>小结</th></tr></thead><tbody>${patrols.map(p => `<tr data-testid="patrol-record-row"><td>${esc(p.id)}</td>
      <td>${esc(p.patrolled_by)}</td><td class="nowrap">${esc(time(p.started_at))}</td><td class="nowrap">${p.ended_at ? time(p.ended_at) : "进行中"}</td>
      <td class="num">${esc(p.projects)}</td><td class="num">${esc(p.findings)}</td><td>${esc(p.note)}</td></tr>`).join("") || `<tr><td colspan="7" class="note">暂无</td></tr>`}</tbody></table></div>`;
  $("cv-days").value = days; $("cv-month").value = month;
  $("cv-go").onclick = loadCoverage;
}
