"use strict";
const T = {
  zh: { plan:"现场平面", zones:"禁吊区", zones_note:"红色区域：禁吊区",
        cranes:"塔吊", trend:"趋势", alerts:"当前报警", site_wide:"全场", cameras:"视频监控", pit:"深基坑监测点", devices:"设备在线",
        load_pct:"载荷", moment_pct:"力矩", wind_ms:"风速", tilt_deg:"倾角", radius:"幅度", height:"吊钩高度",
        slew:"回转", load:"起重量", operator:"司机", online:"在线", offline:"离线", unknown:"未连接",
        none:"无报警", ok:"正常", point:"测点", lang:"EN", warning:"预警", alarm:"报警", critical:"危险",
        firing:"未处理", acknowledged:"已确认", resolved:"已解除", ack:"确认处理", resolve:"解除", note:"处理说明（已采取的措施）",
        login:"登录", logout:"退出", cancel:"取消", user:"用户名", password:"密码", bad_login:"用户名或密码错误",
        throttled:"尝试次数过多，请稍后再试", need_super:"需要安全员（supervisor）权限", live:"实时", lost:"连接中断，正在重连",
        sound_on:"报警声音已开启", sound_off:"点击开启报警声音", nocams:"本工地未接入摄像头", noframe:"暂无画面", behind:"分析滞后",
        evidence:"证据", by:"处理人", no_data:"暂无数据", bands:"70% / 100% 报警线",
        disp_h_mm:"水平位移", disp_v_mm:"竖向位移", incl_mm:"深层水平位移", axial_kn:"支撑轴力", water_level_m:"地下水位",
        settle_mm:"沉降", anchor_kn:"锚杆拉力", load_t:"起重量", wind:"风速", active:"条报警", persons:"人数", no_helmet:"未戴安全帽", edge_missing:"临边缺失", zone_intrusions:"闯入", sound_is_on:"声音：开", sound_is_off:"声音：关",
        decisions:"监管决定", no_decisions:"暂无监管决定",
        notices:"督办通知", no_notices:"暂无督办通知", notice_pdf:"查看通知书", notice_deadline:"整改期限", notice_note:"整改情况（做了什么）",
        notice_answer:"上报整改", notice_answered:"已上报整改，待复查", notice_need:"请填写整改情况并附整改照片", notice_overdue:"已逾期",
        calibrated_until:"标定有效至", expired:"已过期",
        other_devices:"其他监测设备",
        cs_min:"{n} 分钟", cs_o2:"氧气", cs_lel:"可燃气体", cs_h2s:"硫化氢", cs_co:"一氧化碳",  // a gas alert's point, the safety log's minutes
        started_by:"开始人", ended_by:"上次结束人",
        sirens:"声光报警器", siren_on:"鸣响中", siren_off:"静默", siren_fault:"写入失败：{e}", siren_by:"由 {n} 条报警驱动", no_sirens:"未配置声光报警器",
        jacking:"塔吊顶升", no_cranes:"本工地无塔吊", jacking_on:"顶升中", jacking_off:"未顶升", start_jacking:"开始顶升", end_jacking:"结束顶升",
        jacking_login:"安全员登录后可开始或结束顶升", jib_height:"起重臂高度", proposal:"建议开启顶升窗口",
        confirm_jacking:"确认开始 {name} 的顶升？顶升期间禁止回转、变幅、起升，风速超过 9.0 m/s 须停止。",
        ask_verticality:"{name} 顶升后塔身垂直度实测值（‰）：", ask_ties:"附着、螺栓、销轴是否已检查？", ask_height:"新的起重臂高度（m），不变请留空：", ask_ties_added:"{name} 本次新增附着道数（新增附着须重新验收后方可使用；无则留空）：", ask_limiters:"起升高度限位器、起重量和力矩限制器是否已按新高度重新调整并试验？（否：将提醒直至记录）",
        papers:"设备备案登记与人员证书", holder:"设备/人员", paper:"证件", number:"编号", until:"到期", paper_registration:"备案验收登记",
        paper_inspection:"定期检验", paper_installer_qualification:"安装单位资质", paper_installer_licence:"安装单位安全生产许可证", paper_certificate:"资格证书", st_ok:"有效", st_due:"30天内到期", st_expired:"已过期", st_missing:"缺失",
        personnel:"现场关键人员", role:"岗位", name:"姓名", presence:"在岗", certificate:"安全考核证书", on_site:"在场",
        off_site:"不在场", entered:"{time} 进场", valid_until:"有效至", others:"其他在场人员：{n} 人", no_personnel:"未配置关键人员",
        project_manager:"项目负责人", safety_officer:"专职安全员", chief_supervisor:"总监理工程师", technical_lead:"项目技术负责人" },
  en: { plan:"Site plan", zones:"no-lift zones", zones_note:"red: no-lift zone",
        cranes:"Tower cranes", trend:"Trend", alerts:"Active alerts", site_wide:"Site", cameras:"Cameras", pit:"Deep pit points", devices:"Devices",
        load_pct:"Load", moment_pct:"Moment", wind_ms:"Wind", tilt_deg:"Tilt", radius:"Radius", height:"Hook height",
        slew:"Slew", load:"Load", operator:"Operator", online:"online", offline:"offline", unknown:"not connected",
        none:"No active alerts", ok:"OK", point:"Point", lang:"中文", warning:"warning", alarm:"alarm", critical:"critical",
        firing:"open", acknowledged:"acknowledged", resolved:"resolved", ack:"Acknowledge", resolve:"Resolve", note:"Note (what was done)",
        login:"Log in", logout:"Log out", cancel:"Cancel", user:"User name", password:"Password", bad_login:"Wrong user name or password",
        throttled:"Too many attempts, try again later", need_super:"Needs the supervisor role", live:"live", lost:"connection lost, reconnecting",
        sound_on:"Alarm sound on", sound_off:"Click to turn the alarm sound on", nocams:"No camera on this site", noframe:"no frame yet", behind:"analysis behind",
        evidence:"evidence", by:"by", no_data:"no data", bands:"70 % / 100 % alarm lines",
        disp_h_mm:"horizontal disp.", disp_v_mm:"vertical disp.", incl_mm:"deep horizontal", axial_kn:"strut force", water_level_m:"water level",
        settle_mm:"settlement", anchor_kn:"anchor force", load_t:"load", wind:"wind", active:"alerts", persons:"persons", no_helmet:"no hard hat", edge_missing:"edge missing", zone_intrusions:"intrusions", sound_is_on:"Sound: on", sound_is_off:"Sound: off",
        decisions:"Regulator decisions", no_decisions:"No decision from the regulator yet",
        notices:"Supervision notices", no_notices:"No supervision notice", notice_pdf:"Open the notice", notice_deadline:"Deadline", notice_note:"What was done",
        notice_answer:"Report the fix", notice_answered:"Fix reported, awaiting re-inspection", notice_need:"Write what was done and attach a photo of the fix", notice_overdue:"overdue",
        calibrated_until:"calibrated until", expired:"expired",
        other_devices:"Other monitored devices",
        cs_min:"{n} min", cs_o2:"Oxygen", cs_lel:"Combustible gas", cs_h2s:"H2S", cs_co:"CO",
        started_by:"started by", ended_by:"last ended by",
        sirens:"Sirens", siren_on:"sounding", siren_off:"quiet", siren_fault:"write failed: {e}", siren_by:"driven by {n} alert(s)", no_sirens:"No siren configured",
        jacking:"Crane jacking", no_cranes:"No tower crane on this site", jacking_on:"jacking", jacking_off:"not jacking", start_jacking:"Start jacking", end_jacking:"End jacking",
        jacking_login:"A supervisor who logs in can start or end jacking", jib_height:"Jib height", proposal:"jacking window proposed",
        confirm_jacking:"Start jacking on {name}? No slewing, trolley or hoisting while it lasts; stop when the wind exceeds 9.0 m/s.",
        ask_verticality:"{name}: tower verticality measured after the climb (‰):", ask_ties:"Ties, bolts and pins checked?", ask_height:"New jib height (m), empty if unchanged:", ask_ties_added:"{name}: new ties fitted (accepted again before use; empty if none):", ask_limiters:"Height, load and moment limiters re-adjusted and tested for the new height? (no: a reminder until recorded)",
        papers:"Machines' papers and certificates", holder:"Machine/person", paper:"Paper", number:"Number", until:"Due", paper_registration:"filing, acceptance, registration",
        paper_inspection:"periodic inspection", paper_installer_qualification:"installer's qualification", paper_installer_licence:"installer's safety licence", paper_certificate:"certificate", st_ok:"valid", st_due:"due within 30 days", st_expired:"expired", st_missing:"missing",
        personnel:"Key personnel on site", role:"Role", name:"Name", presence:"On duty", certificate:"Safety certificate", on_site:"on site",
        off_site:"not on site", entered:"since {time}", valid_until:"valid until", others:"Others on site: {n}", no_personnel:"No key personnel configured",
        project_manager:"Project manager", safety_officer:"Safety officer", chief_supervisor:"Chief supervisor", technical_lead:"Technical lead" },
};
const RANK = {warning:1, alarm:2, critical:3};
const COLOUR = {warning:"var(--warn)", alarm:"var(--alarm)", critical:"var(--crit)"};
let lang = localStorage.getItem("sitegw-lang") || "zh";
const t = k => (T[lang][k] ?? k);
const $ = id => document.getElementById(id);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));

// ---- the kinds' cards: each kind with a card of its own ships its script (kinds/<kind>/card.js, served as
// cards/<name>.js), loaded for a site with the kind; it registers itself here with
//   card({name, id, title, cls, html, words: {zh, en}, draw(el), limits(device, point, metric), span(device, point), firstTrend()})
// name: its name (the API's DeviceView.card); id, cls, html: the element the page makes for it (its first content);
// title: the key of its heading's words; words: its own words, added to the page's; draw: fill the element from S;
// the optional hooks: a trend's limit lines (null: not its series), a trend's range in seconds, the series the trend
// opens on when no alert is open ([device, point, metric] or null); css: the card's own style rules (its
// classes), added to the page once; plan: its layer of the site plan (below, "the site plan")
const CARDS = [];
let SHOWN = [];  // the cards of the site's kinds, in the registry's order
function card(c) {
  CARDS.push(c);
  for (const l of ["zh", "en"]) Object.assign(T[l], (c.words || {})[l]);
  if (c.css) document.head.append(Object.assign(document.createElement("style"), {textContent: c.css}));
}
const loadScript = src => new Promise((ok, bad) => {
  const s = document.createElement("script"); s.src = src; s.onload = ok; s.onerror = () => bad(new Error(src)); document.head.append(s);
});
// the cards of the site's kinds, in the registry's order, each in an element of its own under #cards
async function loadCards(site) {
  const kinds = site.kinds || [];
  await Promise.all([...new Set(kinds.filter(k => k.script && !CARDS.some(c => c.name === k.card)).map(k => k.script))].map(loadScript));
  const order = kinds.map(k => k.card), shown = CARDS.filter(c => order.includes(c.name));
  shown.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  SHOWN = shown;
  $("cards").innerHTML = shown.map(c => `<h2 style="margin-top:.8em" data-i18n="${esc(c.title)}">${esc(t(c.title))}</h2>
    <div id="${esc(c.id)}" class="${esc(c.cls || "")}" data-card="${esc(c.name)}">${c.html || ""}</div>`).join("");
}
function drawCards() { for (const c of CARDS) { const el = $(c.id); if (el) c.draw(el); } }
// the first answer of a card's hook, or null
const askCards = (hook, ...args) => { for (const c of CARDS) { const v = c[hook]?.(...args); if (v != null) return v; } return null; };

// ---- state: one snapshot from the REST API, kept current by the live stream
const S = { site:null, latest:{}, alerts:new Map(), decisions:[], online:{}, trend:null, me:null, pours:[], jacking:[], papers:[], personnel:null, sirens:[] };
const DECISIONS_SHOWN = 20;
let token = localStorage.getItem("sitegw-token") || "";

async function api(path, opts = {}) {
  const headers = Object.assign({"Content-Type":"application/json"}, token ? {Authorization:"Bearer " + token} : {});
  const r = await fetch(path, Object.assign({cache:"no-store", headers}, opts));
  if (r.status === 401 && token) { setToken(""); }
  if (!r.ok) { const e = new Error(path + " " + r.status); e.status = r.status;
               try { e.detail = (await r.json()).detail; } catch (_) {} throw e; }
  return r.status === 204 ? null : r.json();
}
function setToken(v) { token = v; if (v) localStorage.setItem("sitegw-token", v); else localStorage.removeItem("sitegw-token"); }
const key = r => (r.point ? r.point + "/" : "") + r.metric;
// units as a Chinese screen writes them (profiles say "deg", as register maps do)
const UNIT_SHOWN = {deg: "°", degree: "°", pct: "%"};
function putReading(r) {
  if (UNIT_SHOWN[r.unit]) r.unit = UNIT_SHOWN[r.unit];
  const dev = (S.latest[r.device] ||= {});
  const k = key(r), old = dev[k];
  if (!old || r.ts >= old.ts) dev[k] = r;
}

// ---- sound: WebAudio beeps (browsers allow sound only after a click, hence the button)
let audio = null;
function beep(level) {
  if (!audio) return;
  const n = RANK[level] || 1, f = {1:660, 2:880, 3:1100}[n];
  for (let i = 0; i < n; i++) {
    const o = audio.createOscillator(), g = audio.createGain();
    o.frequency.value = f; o.type = n === 3 ? "square" : "sine";
    g.gain.setValueAtTime(.15, audio.currentTime + i * .3); g.gain.setValueAtTime(0, audio.currentTime + i * .3 + .2);
    o.connect(g).connect(audio.destination); o.start(audio.currentTime + i * .3); o.stop(audio.currentTime + i * .3 + .22);
  }
}
$("sound").onclick = () => {
  if (audio) { audio.close(); audio = null; } else { audio = new AudioContext(); beep("warning"); }
  drawSound();
};
function drawSound() { $("sound").textContent = t(audio ? "sound_is_on" : "sound_is_off"); $("sound").title = t(audio ? "sound_on" : "sound_off"); }

// ---- language
function applyLang() {
  document.querySelectorAll("[data-i18n]").forEach(e => e.textContent = t(e.dataset.i18n));
  $("lang").textContent = t("lang"); drawSound();
  $("login-name").placeholder = t("user"); $("login-pass").placeholder = t("password");
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  drawUser(); render(true); drawNotices();
  if (S.site) drawCams();
}
$("lang").onclick = () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("sitegw-lang", lang); applyLang(); };

// ---- login
function drawUser() { $("user").textContent = S.me && !S.me.anonymous ? `${S.me.name} (${S.me.role}) · ${t("logout")}` : t("login"); }
let afterLogin = null;
function askLogin(then) { afterLogin = then || null; $("login-msg").textContent = ""; $("login").showModal(); $("login-name").focus(); }
$("login-cancel").onclick = () => $("login").close();
$("login-form").onsubmit = async ev => {
  ev.preventDefault();
  try {
    const r = await api("api/v1/auth/login", {method:"POST", body:JSON.stringify({username:$("login-name").value, password:$("login-pass").value})});
    setToken(r.token); $("login").close(); $("login-pass").value = "";
    await loadMe(); connect(); if (afterLogin) afterLogin();
  } catch (e) { $("login-msg").textContent = t(e.status === 429 ? "throttled" : "bad_login"); }
};
$("user").onclick = async () => {
  if (S.me && !S.me.anonymous) { try { await api("api/v1/auth/logout", {method:"POST"}); } catch (_) {} setToken(""); await loadMe(); connect(); }
  else askLogin();
};
// who is logged in changed (or was first learnt): the panels that show a supervisor's buttons redraw on
// "sitegw-me", once the server has said who it is; a timer after the login form's submit raced a slow login
async function loadMe() {
  try { S.me = await api("api/v1/auth/me"); } catch (e) { S.me = null; }
  drawUser(); render(); loadWarnings(); document.dispatchEvent(new Event("sitegw-me"));
}

const num = r => (r && typeof r.value === "number" ? r.value : undefined);

// ---- alert helpers
// the rules write "中文 | English": show the page's language
const says = m => { const parts = String(m || "").split(" | "); return lang === "en" && parts[1] ? parts[1] : parts[0]; };
// an alert carries its message in both languages: English when switched to it (older alerts have only Chinese)
const alertText = a => (lang === "en" && a.message_en ? a.message_en : says(a.message));
function activeAlerts() {
  return [...S.alerts.values()].filter(a => a.state !== "resolved")
    .sort((a, b) => (RANK[b.level] - RANK[a.level]) || ((a.state === "firing" ? 0 : 1) - (b.state === "firing" ? 0 : 1)) || (b.updated_ts - a.updated_ts));
}
function worstFor(device, point) {
  let w = null;
  for (const a of S.alerts.values()) {
    if (a.state === "resolved" || a.device !== device || (point !== undefined && a.point !== point)) continue;
    if (!w || RANK[a.level] > RANK[w]) w = a.level;
    for (const c of (a.details?.cranes || [])) if (c === device && (!w || RANK[a.level] > RANK[w])) w = a.level;
  }
  return w;
}

// ---- the site plan: the dashboard draws its frame (a box every layer's items fit in, a grid and a scale in
// metres, the site's no-lift zones) and each shown card's plan layer draws its own items over it, so a kind
// (a plug-in's too) adds to the plan from its card.js alone. A card's layer, plan: {z, extent, centre, draw,
// bind, legend, note}:
//   z: the order it is drawn in (0 the ground, a pit; 1 the machines over it, the cranes)
//   extent(P): the points [[x, y], ...] the plan must show (site metres, y north); centre(): where its items
//   stand, the points a schematic layer centres on (P.centre, their mean; [0, 0] where no layer places any)
//   draw(P): its SVG, y drawn as -y; P = {u: the unit its text and strokes scale by, centre: [x, y]}
//   bind(svg): its click handlers, after the plan is drawn
//   legend, note: the keys of its words in the plan's heading and in the note under it
// Labels with the class "movable" move off the elements of the groups with the class "fixed" (declutter).
const planLayers = () => SHOWN.filter(c => c.plan).map(c => c.plan);  // in the registry's order
// a grid step of 1, 2 or 5 × 10ⁿ m: about eight lines across the plan
const gridStep = span => { const e = 10 ** Math.floor(Math.log10(span / 8)), f = span / 8 / e; return e * (f < 2 ? 1 : f < 5 ? 2 : 5); };
function planFrame(layers) {
  const stands = layers.flatMap(l => l.centre?.() || []);
  const centre = stands.length ? [stands.reduce((s, p) => s + p[0], 0) / stands.length, stands.reduce((s, p) => s + p[1], 0) / stands.length] : [0, 0];
  const pts = S.site.zones.flatMap(z => z.polygon).concat(layers.flatMap(l => l.extent?.({centre}) || []));
  if (!pts.length) pts.push([-50, -50], [50, 50]);
  const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
  const x0 = Math.min(...xs) - 5, y0 = Math.min(...ys) - 5, x1 = Math.max(...xs) + 5, y1 = Math.max(...ys) + 5;
  return {x0, y0, x1, y1, centre, u: Math.max(x1 - x0, y1 - y0) / 190};  // text and strokes scale with the plan
}
function drawGrid({x0, y0, x1, y1, u}) {
  const step = gridStep(Math.max(x1 - x0, y1 - y0));
  let h = "";
  for (let x = Math.ceil(x0 / step) * step; x <= x1; x += step) h += `<line x1="${x}" x2="${x}" y1="${-y1}" y2="${-y0}"/>`;
  for (let y = Math.ceil(y0 / step) * step; y <= y1; y += step) h += `<line x1="${x0}" x2="${x1}" y1="${-y}" y2="${-y}"/>`;
  const sx = x0 + 3 * u, sy = -y0 - 3 * u;
  return `<g class="plan-grid" stroke="#1d2630" stroke-width="${.25 * u}">${h}</g>
    <g class="plan-scale fixed"><line x1="${sx}" x2="${sx + step}" y1="${sy}" y2="${sy}" stroke="#8a99a8" stroke-width="${.6 * u}"/>
    <text x="${sx}" y="${sy - 1.5 * u}" font-size="${3 * u}" fill="#8a99a8">${step} m</text></g>`;
}
function drawZones(u) {
  return S.site.zones.map(z => `<polygon points="${z.polygon.map(p => `${p[0]},${-p[1]}`).join(" ")}" fill="rgba(214,40,40,.25)" stroke="#d62828" stroke-width="${.6*u}"/>
    <text class="zone-name movable" x="${z.polygon[0][0]}" y="${-z.polygon[0][1] + 5*u}" font-size="${4*u}" fill="#f08080">${esc(z.name)}</text>`).join("");
}
let planWords = "";
function drawPlan() {
  const layers = planLayers(), frame = planFrame(layers), {x0, y0, x1, y1, u} = frame;
  const svg = $("plan");
  svg.setAttribute("viewBox", `${x0} ${-y1} ${x1 - x0} ${y1 - y0}`);
  const drawn = [...layers].sort((a, b) => (a.z || 0) - (b.z || 0));  // the ground first, the machines over it
  svg.innerHTML = drawGrid(frame) + drawZones(u) + drawn.map(l => l.draw(frame)).join("");
  declutter(svg, u);
  for (const l of layers) l.bind?.(svg);
  // the heading and the note name what this site's plan shows
  const zones = S.site.zones.length ? [{legend: "zones", note: "zones_note"}] : [], named = layers.concat(zones);
  const note = named.map(l => t(l.note)).join(lang === "zh" ? "；" : "; ");
  const words = [t("plan"), named.map(l => t(l.legend)).join(lang === "zh" ? "、" : ", "), note.charAt(0).toUpperCase() + note.slice(1)];
  if (words.join("|") === planWords) return;
  planWords = words.join("|");
  $("plan-title").textContent = words[0] + (named.length ? " · " + words[1] : "");
  $("plan-note").textContent = words[2];
}

// no label drawn over another: the fixed items (the pit points' dots and codes, the scale) stay where they are;
// a crane's name, its hook's height, the pit's and the zones' captions move to the nearest free place, tried
// ring by ring (SVG user units, so the result is the same at any screen width); one with no free place stays put
function declutter(svg, u) {
  const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const taken = [...svg.querySelectorAll(".fixed > *")].map(e => e.getBBox());
  const tries = [[0, 0]];
  for (let r = 1; r <= 8; r++)
    for (const [dx, dy] of [[0, -1], [0, 1], [1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1]]) tries.push([dx * r * 1.5 * u, dy * r * 1.5 * u]);
  for (const el of svg.querySelectorAll("text.movable")) {
    const x = +el.getAttribute("x"), y = +el.getAttribute("y");
    const free = tries.find(([dx, dy]) => {
      el.setAttribute("x", x + dx); el.setAttribute("y", y + dy);
      const b = el.getBBox();
      return !taken.some(o => hit(b, o));
    });
    if (!free) { el.setAttribute("x", x); el.setAttribute("y", y); }
    taken.push(el.getBBox());
  }
}

function gauge(label, value, unit, bands, max, digits, device, metric) {
  const segs = [[0, bands.warning, "var(--ok)"], [bands.warning, bands.alarm, "var(--warn)"],
                [bands.alarm, bands.critical, "var(--alarm)"], [bands.critical, max, "var(--crit)"]];
  const track = segs.map(([a, b, c]) => `<i style="width:${Math.max(0, (Math.min(b, max) - a) / max * 100)}%;background:${c};opacity:.55"></i>`).join("");
  const pos = value === undefined ? null : Math.max(0, Math.min(value, max)) / max * 100;
  const lv = value === undefined ? "" : value >= bands.critical ? "critical" : value >= bands.alarm ? "alarm" : value >= bands.warning ? "warning" : "";
  return `<div class="gauge" data-gauge="${metric}" data-level="${lv || "ok"}" data-device="${esc(device)}">
    <div class="lbl"><span>${t(label)}</span><b class="${lv ? "lv-" + lv : ""}" style="color:${lv ? COLOUR[lv] : "inherit"}">${value === undefined ? "–" : value.toFixed(digits) + " " + unit}</b></div>
    <div class="track">${track}${pos === null ? "" : `<span class="needle" style="left:calc(${pos}% - 1px)"></span>`}</div></div>`;
}

function fmt(r, digits = 1) {
  if (r === undefined) return "–";
  return (typeof r.value === "number" ? r.value.toFixed(digits) : esc(r.value)) + (r.unit ? " " + esc(r.unit) : "");
}

const localDay = (d = new Date()) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;


const canSupervise = () => !!(S.me && !S.me.anonymous && (S.me.role === "supervisor" || S.me.role === "admin"));
const when = ts => new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {month:"numeric", day:"numeric", hour:"2-digit", minute:"2-digit"});
// a work window (a pour, a jacking) started or ended by a supervisor: list is S's key and the API's path
async function setWindow(list, path, device, start, body, again) {
  try {
    const v = await api(`api/v1/${path}/${encodeURIComponent(device)}/${start ? "start" : "end"}`,
                        body ? {method:"POST", body:JSON.stringify(body)} : {method:"POST"});
    S[list] = S[list].map(x => x.device === v.device ? v : x); render();
  } catch (e) {
    if (e.status === 401) askLogin(again); else if (e.status === 403) alert(t("need_super")); else alert(e.detail || e.message);
    loadWork();
  }
}
// ---- crane jacking: each crane's window, its height now, a proposal when the site file's height changed;
// closing asks for the checks the standards require (verticality ‰, ties checked), the new height, the ties added
// and whether the limiters were re-calibrated
let jackingDrawn = "";
function drawJacking() {
  const drawn = JSON.stringify([S.jacking, canSupervise(), lang]);
  if (drawn === jackingDrawn) return;
  jackingDrawn = drawn;
  $("jacking").innerHTML = S.jacking.length ? S.jacking.map(c => {
    const who = c.changed_ts ? `${t(c.active ? "started_by" : "ended_by")} ${esc(c.changed_by)} · ${when(c.changed_ts)}` : "";
    const button = canSupervise() ? `<button class="${c.active ? "" : "primary "}jack-btn" data-device="${esc(c.device)}" data-start="${c.active ? "" : "1"}">${t(c.active ? "end_jacking" : "start_jacking")}</button>`
                                  : `<span class="dim">${t("jacking_login")}</span>`;
    return `<div class="formwork ${c.active ? "pouring" : ""}" data-jacking="${esc(c.device)}"><b>${esc(c.name)}</b> <span class="dim">${esc(c.device)} · ${t("jib_height")} ${c.height_m} m</span>
      <div class="pour" data-active="${c.active}"><span class="tag ${c.active ? "pouring" : "idle"}">${t(c.active ? "jacking_on" : "jacking_off")}</span>
        <span class="dim">${who}</span><span class="spacer"></span>${button}</div>
      ${c.proposal ? `<div class="tag warning" data-proposal>${t("proposal")}: ${esc(c.proposal)}</div>` : ""}</div>`;
  }).join("") : `<div class="dim">${t("no_cranes")}</div>`;
  $("jacking").querySelectorAll(".jack-btn").forEach(b => b.onclick = () => jack(b.dataset.device, !!b.dataset.start));
}
async function jack(device, start) {
  const c = S.jacking.find(x => x.device === device), name = c ? c.name : device;
  let body = null;
  if (start) { if (!confirm(t("confirm_jacking").replace("{name}", name))) return; }
  else {
    const v = prompt(t("ask_verticality").replace("{name}", name)); if (v === null) return;
    const ties = confirm(t("ask_ties")), h = prompt(t("ask_height"), c ? String(c.height_m) : "");
    if (h === null) return;
    const added = prompt(t("ask_ties_added").replace("{name}", name), ""); if (added === null) return;
    const limiters = confirm(t("ask_limiters"));
    body = {verticality_per_mille: v.trim() === "" ? null : Number(v), ties_checked: ties, height_m: h.trim() ? Number(h) : null,
            ties_added: added.trim() ? Number(added) : 0, limiters_recalibrated: limiters};
  }
  await setWindow("jacking", "jacking", device, start, body, () => jack(device, start));
}
// ---- papers: every machine's filing, acceptance, registration and inspection, every certificate, what is due
function drawPapers() {
  const rows = S.papers || [];
  $("papers").querySelector("tbody").innerHTML = rows.length ? `<tr><th>${t("holder")}</th><th>${t("paper")}</th><th>${t("number")}</th><th>${t("until")}</th><th></th></tr>` +
    rows.map(p => `<tr data-holder="${esc(p.holder)}" data-status="${p.status}"><td>${esc(p.name)} <span class="dim">${esc(p.kind)}</span></td><td>${t("paper_" + p.paper)}</td>
      <td>${esc(p.number)}</td><td>${p.until ? esc(p.until) + (p.days_left !== null ? ` (${p.days_left})` : "") : ""}</td>
      <td><span class="tag ${{ok:"idle", due:"warning", expired:"critical", missing:"alarm"}[p.status]}">${t("st_" + p.status)}</span> ${esc(p.problem)}</td></tr>`).join("") : "";
}

// ---- key personnel: who of them the access gates let in, their certificates, and how many others are in
function drawPersonnel() {
  const v = S.personnel; if (!v) return;
  $("personnel").querySelector("tbody").innerHTML = v.key_people.length ? `<tr><th>${t("role")}</th><th>${t("name")}</th><th>${t("presence")}</th><th>${t("certificate")}</th></tr>` +
    v.key_people.map(p => {
      const valid = p.certificate_valid;
      return `<tr data-person="${esc(p.id)}" data-on-site="${p.on_site}"><td>${esc(lang === "zh" ? p.role_zh : t(p.role))}</td><td>${esc(p.name)}</td>
        <td class="${p.on_site ? "on" : "off"}">${p.on_site ? t("on_site") + (p.since ? " · " + t("entered").replace("{time}", when(p.since)) : "") : t("off_site")}</td>
        <td class="cert ${valid ? "" : "expired"}" data-valid="${valid}">${esc(p.certificate_no)}${p.certificate_valid_until ? ` · ${t("valid_until")} ${esc(p.certificate_valid_until)}` : ""}${valid ? "" : ` (${t("expired")})`}</td></tr>`;
    }).join("") : `<tr><td class="dim">${t("no_personnel")}</td></tr>`;
  $("others").textContent = t("others").replace("{n}", v.others_on_site);
}
// ---- the site's sirens: sounding or quiet, what drives them, a relay that does not answer
function drawSirens() {
  const list = S.sirens || [];
  $("sirens").innerHTML = list.length ? list.map(x => `<li class="${x.wanted_on ? "sounding" : ""} ${x.write_ok === false ? "fault" : ""}" data-siren="${esc(x.name)}" data-on="${x.wanted_on}">
    <b>${esc(x.label || x.name)}</b> · ${x.wanted_on ? t("siren_on") : t("siren_off")}${x.alerts.length ? " · " + t("siren_by").replace("{n}", x.alerts.length) : ""}
    ${x.write_ok === false ? `<div>${esc(t("siren_fault").replace("{e}", x.last_error || ""))}</div>` : ""}<div class="dim">${esc(x.output)}</div></li>`).join("")
    : `<li class="dim">${t("no_sirens")}</li>`;
}
// pours, attendance and sirens: loaded at start, on a live sign of change, and every 10 s
async function loadWork() {
  try {
    const [pours, personnel, sirens, jacking, papers] = await Promise.all([api("api/v1/pours"), api("api/v1/personnel"), api("api/v1/sirens"),
                                                                          api("api/v1/jacking"), api("api/v1/papers")]);
    S.pours = pours; S.personnel = personnel; S.sirens = sirens; S.jacking = jacking; S.papers = papers; render();
  } catch (_) { /* the next round retries: a gateway restarting answers later */ }
}
let workSoon = null;
function workChanged(rows) {
  const gates = new Set((S.site?.devices || []).filter(d => d.kind === "attendance").map(d => d.id));
  if (workSoon || !rows.some(r => r.metric === "pour_active" || r.metric === "jacking_active" || gates.has(r.device))) return;
  workSoon = setTimeout(() => { workSoon = null; loadWork(); }, 300);
}


// devices whose kind has no card of its own (a plug-in's kind, an anemometer, a generic device): every
// metric with the Chinese name, unit and state words its kind declares (SiteView.kinds)
function drawOtherDevices() {
  const kinds = Object.fromEntries((S.site.kinds || []).map(k => [k.name, k]));
  const devs = S.site.devices.filter(d => d.card === "generic");
  $("other-title").hidden = !devs.length;
  $("other-devices").innerHTML = devs.map(d => {
    const kind = kinds[d.kind] || {metrics: []}, lv = worstFor(d.id);
    const byName = Object.fromEntries(kind.metrics.map(m => [m.name, m]));
    const rows = Object.values(S.latest[d.id] || {}).sort((a, b) => key(a) < key(b) ? -1 : 1).map(r => {
      const m = byName[r.metric] || {zh: r.metric, en: r.metric, unit: r.unit, states: {}};
      const word = m.states && typeof r.value === "number" && m.states[r.value];
      const shown = word ? esc(word) : typeof r.value === "number" ? r.value.toFixed(2) + (m.unit ? " " + esc(m.unit) : "") : esc(r.value);
      return `<div class="kv" data-metric="${esc(r.metric)}"><span>${esc(lang === "zh" ? m.zh : (m.en || m.zh))}${r.point ? " " + esc(r.point) : ""}</span><span>${shown}</span></div>`;
    }).join("");
    return `<div class="crane" data-device="${esc(d.id)}"><div>${lv ? `<span class="tag ${lv}">${t(lv)}</span> ` : ""}<b>${esc(d.name || d.id)}</b>
      <span class="dim">${esc(lang === "zh" ? d.kind_name : d.kind)}</span></div>${rows || `<div class="dim">${t("no_data")}</div>`}</div>`;
  }).join("");
}

function drawDevices() {
  $("devices").querySelector("tbody").innerHTML = S.site.devices.map(d => {
    const on = S.online[d.id] ?? d.online;
    return `<tr data-device="${esc(d.id)}"><td>${esc(d.id)} <span class="dim">${esc(d.name)}</span></td>
      <td class="${on ? "on" : "off"}">${on === null || on === undefined ? t("unknown") : on ? t("online") : t("offline")}</td>
      <td class="dim">${esc(d.transport)}</td></tr>`;
  }).join("");
}

function drawCams() {
  const cams = S.site.cameras;
  if (!cams.length) { $("cams").innerHTML = `<div class="dim">${t("nocams")}</div>`; return; }
  const auth = token ? "&access_token=" + encodeURIComponent(token) : "", now = Date.now();
  $("cams").innerHTML = cams.map(c => {
    const ev = [...S.alerts.values()].filter(a => a.device === c.id && a.state !== "resolved" && a.rule.startsWith("vision."))
      .sort((a, b) => b.updated_ts - a.updated_ts)[0];
    const src = ev ? `api/v1/alerts/${encodeURIComponent(ev.alert_id)}/evidence.jpg?t=${now}${auth}` : `api/v1/cameras/${encodeURIComponent(c.id)}/latest.jpg?t=${now}${auth}`;
    const v = S.latest[c.id] || {}, counts = ["persons", "no_helmet", "edge_missing", "zone_intrusions"]
      .filter(m => v[m]).map(m => `${t(m)} ${v[m].value}`).join(" · ");
    // frames keep arriving on the stream: a camera analysed in the last 30 s is online
    const online = c.online || (v.persons && now / 1000 - v.persons.ts < 30);
    // a camera the box cannot judge in time says so (its frames judged more than 2 s after they were taken)
    const late = v.late_s ? v.late_s.value : c.late_s;
    const behind = late !== null && late !== undefined && late > 2
      ? `<span class="tag warning behind" data-late="${late}">${t("behind")} ${late.toFixed(1)} s</span> ` : "";
    return `<div class="cam" data-camera="${esc(c.id)}"><img alt="${esc(c.name)}" src="${src}">
      <div>${ev ? `<span class="tag ${ev.level}">${t("evidence")}</span> ` : ""}${behind}${esc(c.name)} <span class="${online ? "on" : "off"}">●</span>
        <span class="dim counts">${counts}${v.inference_ms ? ` · ${v.inference_ms.value.toFixed(0)} ms` : ""}</span></div></div>`;
  }).join("");
  // a camera without a frame yet: its note instead of a broken picture (a listener: no inline handler runs
  // under the page's policy, script-src 'self')
  for (const img of $("cams").querySelectorAll("img")) {
    img.addEventListener("error", () => img.replaceWith(
      Object.assign(document.createElement("div"), {className: "noframe", textContent: t("noframe")})), {once: true});
  }
}

function drawAlerts() {
  const list = activeAlerts();
  $("counts").innerHTML = ["critical", "alarm", "warning"].map(l => { const n = list.filter(a => a.level === l).length;
    return n ? `<span class="tag ${l}">${t(l)} ${n}</span>` : ""; }).join(" ");
  const ul = $("alerts");
  const keepNotes = {}; ul.querySelectorAll("textarea").forEach(x => { if (x.value) keepNotes[x.dataset.id] = x.value; });
  const focused = document.activeElement?.dataset?.id;
  ul.innerHTML = list.length ? list.map(a => `<li class="${a.level} state-${a.state}" data-alert-id="${esc(a.alert_id)}" data-state="${a.state}" data-level="${a.level}">
      <span class="tag ${a.level}">${t(a.level)}</span> <span class="tag ${a.state === "acknowledged" ? "acknowledged" : a.level}">${t(a.state)}</span>
      <b class="alert-msg">${esc(alertText(a) || a.rule)}</b>
      <div class="dim">${a.device === "site" ? t("site_wide") /* no one device: a permit, a warning signal */ : esc(a.device)}${a.point ? " · " + esc(T[lang]["cs_" + a.point] ?? a.point) /* a gas alert's point is its gas */ : ""} · ${esc(a.rule)} · ${esc(a.clause)} · ${new Date(a.updated_ts * 1000).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB")}</div>
      ${a.state === "acknowledged" ? `<div class="dim">${t("by")} ${esc(a.acked_by)}${a.ack_note ? ": " + esc(a.ack_note) : ""}</div>` : ""}
      ${a.regulator ? `<div class="regulator reg-${esc(a.regulator.action)}" data-action="${esc(a.regulator.action)}">${esc(says(a.regulator.text))}</div>` : ""}
      ${a.evidence || a.has_evidence ? `<a href="api/v1/alerts/${encodeURIComponent(a.alert_id)}/evidence.jpg${token ? "?access_token=" + encodeURIComponent(token) : ""}" target="_blank">${t("evidence")}</a>` : ""}
      <div class="alert-actions"><textarea data-id="${esc(a.alert_id)}" placeholder="${t("note")}">${esc(keepNotes[a.alert_id] || "")}</textarea>
        ${a.state === "firing" ? `<button class="primary ack-btn" data-id="${esc(a.alert_id)}">${t("ack")}</button>` : ""}
        <button class="resolve-btn" data-id="${esc(a.alert_id)}">${t("resolve")}</button></div></li>`).join("")
    : `<li class="dim">${t("none")}</li>`;
  if (focused) ul.querySelector(`textarea[data-id="${CSS.escape(focused)}"]`)?.focus();
  ul.querySelectorAll(".ack-btn").forEach(b => b.onclick = () => act(b.dataset.id, "acknowledge"));
  ul.querySelectorAll(".resolve-btn").forEach(b => b.onclick = () => act(b.dataset.id, "resolve"));
}

// the regulator decides hours later, mostly on alerts long resolved: its decisions have a list of their own
function drawDecisions() {
  const when = ts => new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB");
  $("decisions").innerHTML = S.decisions.length ? S.decisions.map(d => {
    const a = S.alerts.get(d.alert_id);
    const what = a ? `${a.device}${a.point ? " · " + a.point : ""} · ${a.rule}` : d.alert_id;
    return `<li class="reg-${esc(d.action)}" data-alert-id="${esc(d.alert_id)}" data-action="${esc(d.action)}">
      <b>${esc(says(d.text))}</b><div class="dim">${esc(what)} · ${esc(d.actor)} · ${when(d.ts)}</div></li>`;
  }).join("") : `<li class="dim">${t("no_decisions")}</li>`;
}
function onDecision(d) {
  S.decisions = [d, ...S.decisions.filter(x => x.uplink !== d.uplink || x.action_id !== d.action_id)].slice(0, DECISIONS_SHOWN);
  const a = S.alerts.get(d.alert_id);
  if (a && (!a.regulator || d.ts >= a.regulator.ts)) a.regulator = d;
  render(true);
}

// the regulators' notices: the gateway keeps what its feedback poll heard last
let notices = [];
async function loadNotices() {
  try { notices = await api("api/v1/regulator/notices"); } catch (e) { if (e.status !== 404) return; notices = []; }
  drawNotices();
}
function drawNotices() {
  const day = ts => new Date(ts * 1000).toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB");
  const ul = $("notices"), typing = ul.contains(document.activeElement);
  if (typing) return;  // a supervisor writing an answer keeps it until they send it
  const auth = token ? "?access_token=" + encodeURIComponent(token) : "";
  ul.innerHTML = notices.length ? notices.map(n => {
    const answered = n.hazard_state !== "rectifying" && n.hazard_state !== "confirmed" && n.hazard_state !== "pending";
    const key = `${n.uplink}/${n.id}`;
    return `<li class="${answered ? "answered" : ""}" data-number="${esc(n.number)}" data-kind="${esc(n.kind)}" data-state="${esc(n.hazard_state)}">
      <b>${esc(n.kind_name)} ${esc(n.number)}</b>
      <div class="dim">${esc(n.authority_name)} · ${esc(n.level_name)} · ${t("notice_deadline")} ${day(n.deadline)}${n.overdue ? " · " + t("notice_overdue") : ""}</div>
      <a class="notice-pdf" href="${esc(n.pdf)}${auth}" target="_blank">${t("notice_pdf")}</a>
      ${answered ? `<div class="notice-done">${t("notice_answered")}</div>` : n.alert_id ? `<div class="notice-answer">
        <textarea data-key="${esc(key)}" placeholder="${esc(t("notice_note"))}"></textarea>
        <input type="file" accept="image/jpeg" data-key="${esc(key)}">
        <button class="primary answer-btn" data-key="${esc(key)}">${t("notice_answer")}</button></div>` : ""}</li>`;
  }).join("") : `<li class="dim">${t("no_notices")}</li>`;
  ul.querySelectorAll(".answer-btn").forEach(b => b.onclick = () => answerNotice(b.dataset.key));
}
async function answerNotice(key) {
  if (!S.me || S.me.anonymous) return askLogin(() => answerNotice(key));
  const li = $("notices").querySelector(`button[data-key="${CSS.escape(key)}"]`).closest("li");
  const note = li.querySelector("textarea").value.trim(), file = li.querySelector("input[type=file]").files[0];
  if (!note || !file) return alert(t("notice_need"));
  const photo = await new Promise(ok => { const r = new FileReader(); r.onload = () => ok(String(r.result).split(",", 2)[1]); r.readAsDataURL(file); });
  try {
    await api(`api/v1/regulator/notices/${key}/answer`, {method:"POST", body:JSON.stringify({note, photo})});
    document.activeElement?.blur(); await loadNotices();
  } catch (e) {
    if (e.status === 403) alert(t("need_super")); else if (e.status === 401) askLogin(() => answerNotice(key)); else alert(e.detail || e.message);
  }
}

async function act(id, action) {
  const note = $("alerts").querySelector(`textarea[data-id="${CSS.escape(id)}"]`)?.value || "";
  if (!S.me || S.me.anonymous) return askLogin(() => act(id, action));
  try {
    const a = await api(`api/v1/alerts/${encodeURIComponent(id)}/${action}`, {method:"POST", body:JSON.stringify({note})});
    S.alerts.set(a.alert_id, a); render(true);
  } catch (e) {
    if (e.status === 403) alert(t("need_super")); else if (e.status === 401) askLogin(() => act(id, action)); else alert(e.detail || e.message);
  }
}

// ---- trend plot of any series, with the 70 % / 100 % lines of its limits (its card's)
const limitLines = (device, point, metric) => askCards("limits", device, point, metric) || [];
// the trend opens on what matters most: the worst open alert's series, else the one a card names (a crane's load)
function openDefaultTrend() {
  const worst = [...S.alerts.values()].filter(a => a.state !== "resolved" && S.latest[a.device])
    .sort((a, b) => (RANK[b.level] || 0) - (RANK[a.level] || 0) || b.updated_ts - a.updated_ts)
    .find(a => Object.values(S.latest[a.device]).some(r => typeof r.value === "number" && (r.point || "") === (a.point || "")));
  if (worst) {
    // an alert naming no metric (an operator's licence) opens on one its kind declares, not a raw id
    const rs = Object.values(S.latest[worst.device]).filter(r => typeof r.value === "number" && (r.point || "") === (worst.point || ""));
    const r = rs.find(r => declared(worst.device, r.metric)) || rs[0];
    const metric = worst.details?.metric || r.metric;
    showTrend(worst.device, worst.point || "", metric);
  } else {
    const first = askCards("firstTrend");
    if (first) showTrend(...first);
  }
}
async function showTrend(device, point, metric) {
  S.trend = {device, point, metric};
  // an hour unless the series' card says (pit points report every few hours)
  $("trend-range").value = String(askCards("span", device, point) || 3600);
  await drawTrend();
  if (innerWidth < 820) $("trend").scrollIntoView({behavior:"smooth"});
}
// a device's metric as its kind declares it (SiteView.kinds, from kinds/<kind>/kind.py or a plug-in's
// declaration): a new kind's metrics are named with no edit here; undefined for one its kind does not declare
// (a generic device's, whatever its profile maps)
function declared(device, m) {
  const kind = (S.site?.devices || []).find(d => d.id === device)?.kind;
  return (S.site?.kinds || []).find(k => k.name === kind)?.metrics.find(x => x.name === m);
}
// a metric in its kind's words, Chinese unless the page is in English, with its unit; the raw id only where
// its kind declares no such metric (tests/kinds/test_metric_names.py holds every kind to naming its metrics)
function metricName(device, m) {
  const d = declared(device, m);
  if (!d) return m;
  const name = lang === "zh" ? d.zh : (d.en || d.zh), unit = UNIT_SHOWN[d.unit] || d.unit;
  return unit ? `${name} (${unit})` : name;
}
// each draw is numbered: a slow fetch for the series shown before a click (or before the range changed) must not
// land over the newer one's plot
let trendDraws = 0;
async function drawTrend() {
  const tr = S.trend, svg = $("trend"), mine = ++trendDraws; if (!tr) { svg.innerHTML = ""; return; }
  // what the plot shows, and of which series (data-series)
  const paint = html => { svg.innerHTML = html; svg.dataset.series = [tr.device, tr.point, tr.metric].join("/"); };
  const empty = `<text x="20" y="110" fill="#8a99a8">${t("no_data")}</text>`;
  svg.classList.remove("empty");
  $("trend-title").textContent = ` ${tr.device}${tr.point ? " · " + tr.point : ""} · ${metricName(tr.device, tr.metric)}`;
  // the series' own newest reading ends the range: a pit point reports every few hours (and the demo's pit clock runs fast)
  const newest = (S.latest[tr.device] || {})[(tr.point ? tr.point + "/" : "") + tr.metric];
  const now = Date.now() / 1000, span = +$("trend-range").value;
  const end = !newest ? now : newest.ts > now - span ? Math.max(now, newest.ts + 1) : newest.ts + 1;
  let h;
  try {
    h = await api(`api/v1/history?device=${encodeURIComponent(tr.device)}&metric=${encodeURIComponent(tr.metric)}&point=${encodeURIComponent(tr.point)}&start=${end - span}&end=${end}&max_points=300`);
  } catch (e) { if (mine === trendDraws) paint(empty); return; }
  if (mine !== trendDraws) return;
  const pts = h.points.filter(p => typeof p.value === "number");
  if (!pts.length) { paint(empty); return; }
  const lines = limitLines(tr.device, tr.point, tr.metric);
  const vals = pts.map(p => p.value), lo0 = Math.min(...vals), hi0 = Math.max(...vals);
  const shown = lines.filter(([v]) => v >= Math.min(lo0, 0) - Math.abs(hi0 - lo0) - 1e-9 || lo0 < 0);
  const all = vals.concat(shown.filter(([v]) => (lo0 >= 0 ? v >= 0 : true)).map(l => l[0]));
  let lo = Math.min(...all), hi = Math.max(...all); if (hi === lo) { hi += 1; lo -= 1; }
  const pad = (hi - lo) * .08; lo -= pad; hi += pad;
  if (lo0 >= 0 && lo < 0) lo = 0;  // a load, a speed's size, a settlement of one sign: no axis below zero
  const t0 = pts[0].ts, t1 = Math.max(pts[pts.length - 1].ts, t0 + 1);
  const X = ts => 50 + (ts - t0) / (t1 - t0) * 540, Y = v => 200 - (v - lo) / (hi - lo) * 185;
  let s = `<rect x="50" y="15" width="540" height="185" fill="none" stroke="#2b3642"/>`;
  for (const [v, label, colour] of shown) {
    if (v < lo || v > hi) continue;
    s += `<line class="limit" x1="50" x2="590" y1="${Y(v)}" y2="${Y(v)}" stroke="${colour}" stroke-dasharray="6 4"/>`;
    if (label) s += `<text x="586" y="${Y(v) - 3}" text-anchor="end" font-size="11" fill="${colour}">${label} ${(+v).toFixed(2)}</text>`;
  }
  s += `<polyline fill="none" stroke="#4cc9f0" stroke-width="1.6" points="${pts.map(p => `${X(p.ts).toFixed(1)},${Y(p.value).toFixed(1)}`).join(" ")}"/>`;
  s += `<text x="46" y="20" text-anchor="end" font-size="11" fill="#8a99a8">${hi.toFixed(1)}</text><text x="46" y="200" text-anchor="end" font-size="11" fill="#8a99a8">${lo.toFixed(1)}</text>`;
  const f = ts => new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {month:"numeric", day:"numeric", hour:"2-digit", minute:"2-digit"});
  s += `<text x="50" y="215" font-size="11" fill="#8a99a8">${f(t0)}</text><text x="590" y="215" text-anchor="end" font-size="11" fill="#8a99a8">${f(t1)} · ${esc(UNIT_SHOWN[h.unit] || h.unit)}</text>`;
  paint(s);
}
$("trend-range").onchange = drawTrend;

// ---- render at most ~4 times a second, whatever the stream's rate
let dirty = false, heavy = false;
function render(all = false) {
  if (!S.site) return;
  heavy = heavy || all;
  if (dirty) return; dirty = true;
  setTimeout(() => {
    dirty = false;
    drawPlan(); drawCards(); drawJacking(); drawOtherDevices(); drawSirens(); drawPersonnel(); drawPapers(); drawDevices();
    if (heavy) { drawAlerts(); drawDecisions(); heavy = false; }
  }, 250);
}

// ---- snapshot + live stream (EventSource resumes with Last-Event-ID by itself; 'reset' means reload)
// returns the stream position taken before loading: streaming from it replays what changed meanwhile
async function snapshot() {
  const pos = await api("api/v1/stream/position");
  const [site, readings, alerts, decisions] = await Promise.all([api("api/v1/site"), api("api/v1/readings/latest"),
    api("api/v1/alerts?limit=300"), api(`api/v1/regulator/decisions?limit=${DECISIONS_SHOWN}`)]);
  await loadCards(site);
  S.site = site; S.latest = {}; readings.forEach(putReading);
  S.alerts = new Map(alerts.map(a => [a.alert_id, a]));
  S.decisions = decisions;
  S.online = {};
  $("title").textContent = `${site.name} (${site.code})`; $("where").textContent = `${site.city} ${site.district}`;
  drawCams(); render(true); loadWork(); loadNotices(); loadWarnings();
  if (!S.trend) openDefaultTrend();
  return pos.last_event_id;
}
let es = null, seen = "";  // seen: the id of the last event applied, where a new connection resumes
function connect(since = seen) {
  if (es) es.close();
  // the browser's own reconnects send Last-Event-ID, which the gateway prefers over this parameter
  const q = new URLSearchParams();
  if (token) q.set("access_token", token);
  if (since) q.set("last_event_id", since);
  es = new EventSource("api/v1/stream" + (q.toString() ? "?" + q : ""));
  es.onopen = () => { $("conn").className = "ok"; $("conn").title = t("live"); };
  es.onerror = () => {
    $("conn").className = "bad"; $("conn").title = t("lost");
    // the browser retries by itself, except after an error answer (a gateway starting up): then we do
    if (es.readyState === EventSource.CLOSED) setTimeout(() => connect(), 3000);
  };
  const on = (name, apply) => es.addEventListener(name, e => { seen = e.lastEventId || seen; apply(e); });
  on("readings", e => { const rows = JSON.parse(e.data); rows.forEach(putReading); workChanged(rows); render(); });
  on("status", e => { const s = JSON.parse(e.data); S.online[s.device] = s.online; render(); });
  on("alert", e => onAlertEvent(JSON.parse(e.data)));
  on("regulator", e => onDecision(JSON.parse(e.data)));
  // reload with the stream closed, then stream from the position taken before loading: an event applied
  // while the snapshot loads would be overwritten by the older snapshot
  on("reset", () => { es.close(); es = null; boot(); });
}
function onAlertEvent(ev) {
  const prev = S.alerts.get(ev.alert_id);
  const escalated = !prev || RANK[ev.level] > RANK[prev.level] || prev.state === "resolved";
  let state = ev.state;
  if (state === "firing" || state === "updated") state = prev && prev.state === "acknowledged" && !escalated ? "acknowledged" : "firing";
  S.alerts.set(ev.alert_id, Object.assign({}, prev || {}, ev, {state, updated_ts:ev.ts, opened_ts:prev?.opened_ts ?? ev.ts,
    acked_by: ev.state === "acknowledged" ? ev.actor : prev?.acked_by || "", ack_note: ev.state === "acknowledged" ? ev.note : prev?.ack_note || ""}));
  if ((ev.state === "firing" || ev.state === "updated") && escalated) beep(ev.level);
  // a siren follows the alerts: read its state again shortly after any change (the relay's write lands first)
  if (S.sirens.length && !workSoon) workSoon = setTimeout(() => { workSoon = null; loadWork(); }, 800);
  if (ev.rule === "weather.warning") loadWarnings();  // a signal came into force or ended: the banner at once
  render(true);
  if (ev.has_evidence) drawCams();
}
function showLoadError(e) {
  $("conn").className = "bad";
  if (e.status === 401) askLogin(() => start());
}
async function start() {
  await loadMe();
  connect(await snapshot());
}
setInterval(() => { $("clock").textContent = new Date().toLocaleString(lang === "zh" ? "zh-CN" : "en-GB"); }, 1000);
setInterval(() => { if (S.site && S.site.cameras.length) drawCams(); }, 5000);
setInterval(() => { if (S.trend) drawTrend(); }, 15000);
setInterval(() => { if (S.site) loadWork(); }, 10000);
// the regional warning signals in force: a banner in the worst signal's colour, each with its measure
const SIGNAL_ZH = {typhoon:"台风", gale:"大风", rainstorm:"暴雨", lightning:"雷电", heat:"高温", cold:"寒潮/道路结冰"};
const COLOUR_ZH = {blue:"蓝色", yellow:"黄色", orange:"橙色", red:"红色"};
const COLOUR_RANK = ["blue", "yellow", "orange", "red"];
async function loadWarnings() {
  let list = [];
  try { list = await api("api/v1/warnings?active=true"); } catch (_) { return; }
  const el = $("weather-banner");
  if (!list.length) { el.style.display = "none"; return; }
  const worst = list.reduce((a, w) => COLOUR_RANK.indexOf(w.colour) > COLOUR_RANK.indexOf(a.colour) ? w : a);
  el.className = worst.colour; el.style.display = "block";
  el.innerHTML = list.map(w => (w.source === "regulator" ? "【主管部门发布】" : "") + `${esc(SIGNAL_ZH[w.type])}${esc(COLOUR_ZH[w.colour])}预警` +
    (w.measure ? `：${esc(w.measure)}` : "") + (w.valid_to ? `（至 ${esc(new Date(w.valid_to).toLocaleString("zh-CN"))}）` : "") +
    (w.source !== "regulator" ? "" : w.acked_ts ? ` <span data-acked="${esc(w.id)}">已确认：${esc(w.acked_by)} ${esc(new Date(w.acked_ts * 1000).toLocaleString("zh-CN"))}</span>`
      : canSupervise() ? ` <button data-ack="${esc(w.id)}">确认收到 / Acknowledge</button>` : ` <span data-unacked="${esc(w.id)}">待安全员确认</span>`)).join("　|　");
  el.querySelectorAll("button[data-ack]").forEach(b => b.onclick = async () => {
    b.disabled = true;
    try { await api(`api/v1/warnings/${encodeURIComponent(b.dataset.ack)}/ack`, {method: "POST"}); } catch (_) { b.disabled = false; }
    loadWarnings();
  });
}
setInterval(() => { if (S.site) loadWarnings(); }, 10000);
setInterval(() => { if (S.site) loadNotices(); }, 5000);
document.addEventListener("click", () => { if (audio && audio.state === "suspended") audio.resume(); });
applyLang();
// retry until the gateway answers: the page survives a gateway restart or a page opened before it
async function boot() {
  for (;;) { try { await start(); return; } catch (e) { showLoadError(e); if (e.status === 401) return; await new Promise(r => setTimeout(r, 2000)); } }
}
boot();
