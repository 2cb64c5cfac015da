"use strict";
// kinds/platform/card.js: suspended platforms: load against rated, persons and lifeline buckles, tilt and the safety lock,
// counterweight, wire ropes, distance to the top, wind, lock calibration (profile platform_monitor)
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
card({
  name: "platform", id: "platforms", cls: "cranes", title: "platforms",
  words: {
    zh: {platforms:"高处作业吊篮", pf_load:"载重", pf_persons:"人数 / 扣挂安全绳", pf_buckles:"扣挂安全绳", pf_tilt:"纵向倾角",
         pf_lock:"安全锁", pf_lock_0:"未锁绳", pf_lock_1:"已锁绳", pf_counterweight:"配重", pf_ropes:"钢丝绳", pf_ropes_ok:"全部正常",
         pf_top:"距顶", pf_wind:"风速", pf_operator:"操作人员"},
    en: {platforms:"Suspended platforms", pf_load:"Load", pf_persons:"Persons / clipped on", pf_buckles:"Clipped on",
         pf_tilt:"Tilt", pf_lock:"Safety lock", pf_lock_0:"open", pf_lock_1:"engaged",
         pf_counterweight:"Counterweight", pf_ropes:"Wire ropes", pf_ropes_ok:"all normal", pf_top:"To the top",
         pf_wind:"Wind", pf_operator:"Operator"},
  },
  draw(el) {
    const pfs = S.site.platforms;
    const said = (text, level) => `<span data-level="${level || "ok"}" style="color:${level ? COLOUR[level] : "inherit"}">${esc(text)}</span>`;
    const kind = (S.site.kinds || []).find(k => k.name === "platform") || {metrics: []};
    const ropes = kind.metrics.filter(m => m.name.endsWith("rope_left_state") || m.name.endsWith("rope_right_state"));
    const today = localDay();
    el.innerHTML = pfs.map(p => {
      const s = p.spec, v = S.latest[p.id] || {}, lv = worstFor(p.id);
      const load = num(v.load_kg), persons = num(v.persons), buckles = num(v.buckles), tilt = num(v.tilt_deg);
      const lock = num(v.lock_state), cw = num(v.counterweight_kg), top = num(v.top_distance_m), wind = num(v.wind_ms);
      const least = s.rated_counterweight_kg - s.counterweight_tolerance_kg, expired = p.lock_valid_until < today;
      const bad = ropes.filter(m => num(v[m.name]) === 2).map(m => lang === "zh" ? m.zh : m.en);
      const operator = v.operator_id && String(v.operator_id.value).trim();
      // overload (critical) is above the rated load, not at it: the gauge's critical band starts just past it
      const bands = {warning: s.load_warning_pct, alarm: s.load_alarm_pct, critical: s.load_critical_pct + 1e-9};
      return `<div class="crane platform ${lv ? "lv-" + lv : ""}" data-platform="${esc(p.id)}"><b>${esc(p.id)}</b> <span class="dim">${esc((S.site.devices.find(d => d.id === p.id) || {}).name)} · ${esc(s.model)}</span>
        ${gauge("pf_load", load === undefined ? undefined : 100 * load / s.rated_load_kg, "%", bands, 130, 0, p.id, "load_kg")}
        <div class="kv"><span>${t("pf_load")}</span><span data-metric="load_kg">${load === undefined ? "–" : load.toFixed(0)} / ${s.rated_load_kg} kg</span>
        <span>${t("pf_persons")}</span><span data-metric="persons">${persons === undefined ? "–" : said(`${persons} / ${s.max_persons}`, persons > s.max_persons ? "alarm" : "")}${buckles === undefined ? "" : " · " + said(String(buckles), persons !== undefined && buckles < persons ? "alarm" : "")}</span>
        <span>${t("pf_tilt")}</span><span data-metric="tilt_deg">${tilt === undefined ? "–" : said(tilt.toFixed(1) + "°", Math.abs(tilt) >= s.lock_angle_deg ? "critical" : "")}</span>
        <span>${t("pf_lock")}</span><span data-metric="lock_state">${lock === undefined ? "" : said(t("pf_lock_" + lock), lock ? "critical" : "") + " · "}${said(`${t("calibrated_until")} ${p.lock_valid_until}${expired ? " (" + t("expired") + ")" : ""}`, expired ? "critical" : "")}</span>
        <span>${t("pf_counterweight")}</span><span data-metric="counterweight_kg">${cw === undefined ? "–" : said(`${cw.toFixed(0)} / ${least} kg`, cw < least ? "alarm" : "")}</span>
        <span>${t("pf_ropes")}</span><span data-metric="ropes">${bad.length ? said(bad.join(", "), "alarm") : t("pf_ropes_ok")}</span>
        <span>${t("pf_top")}</span><span data-metric="top_distance_m">${top === undefined ? "–" : said(top.toFixed(2) + " m", top < s.top_margin_m ? "warning" : "")}</span>
        <span>${t("pf_wind")}</span><span data-metric="wind_ms">${wind === undefined ? "–" : said(wind.toFixed(1) + " m/s", wind >= s.wind_stop_ms ? "alarm" : "")}</span>
        <span>${t("pf_operator")}</span><span data-metric="operator_id">${operator ? esc(operator) : "–"}</span></div></div>`;
    }).join("");
    el.querySelectorAll(".gauge").forEach(g => g.onclick = () => showTrend(g.dataset.device, "", "load_kg"));
  },
});
