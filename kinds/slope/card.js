"use strict";
// kinds/slope/card.js: the slope's monitoring points in a table, each point's latest values (a building's tilt, a
// ratio, to five decimals) and its worst open alert; a point's trend draws its alarm value's 70 % and 100 % lines.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, fmt, worstFor,
// showTrend.
card({
  name: "slope", id: "slope-card", title: "slope_points",
  words: {
    zh: {slope_points: "高边坡监测", incl_depth_m: "最大位移深度", rain_mm: "降雨量",
         bldg_settle_mm: "坡顶建筑物沉降", bldg_tilt: "坡顶建筑物倾斜", anchor_kn: "锚杆（索）轴力",
         crack_mm: "裂缝宽度"},
    en: {slope_points: "High slopes", incl_depth_m: "depth of the largest", rain_mm: "rain",
         bldg_settle_mm: "building settlement", bldg_tilt: "building tilt", anchor_kn: "anchor force",
         crack_mm: "crack width"},
  },
  html: `<div style="overflow-x:auto"><table id="slope"><thead></thead><tbody></tbody></table></div>`,
  draw(el) {
    const pts = S.site.slope_points, table = el.querySelector("#slope");
    const ms = [...new Set(pts.flatMap(p => Object.values(S.latest[p.device] || {}).filter(r => r.point === p.code).map(r => r.metric)))].sort();
    table.querySelector("thead").innerHTML = `<tr><th>${t("point")}</th><th></th>${ms.map(m => `<th>${esc(t(m))}</th>`).join("")}</tr>`;
    table.querySelector("tbody").innerHTML = pts.map(p => {
      const vals = {}; for (const r of Object.values(S.latest[p.device] || {})) if (r.point === p.code) vals[r.metric] = r;
      const lv = worstFor(p.device, p.code);
      return `<tr class="clickable" data-point="${esc(p.code)}" data-device="${esc(p.device)}"><td>${esc(p.code)}</td>
        <td>${lv ? `<span class="tag ${lv}">${t(lv)}</span>` : Object.keys(vals).length ? `<span class="tag ok">${t("ok")}</span>` : ""}</td>
        ${ms.map(m => `<td data-metric="${m}">${vals[m] ? fmt(vals[m], m === "bldg_tilt" ? 5 : m === "crack_mm" ? 3 : 2) : ""}</td>`).join("")}</tr>`;
    }).join("");
    table.querySelectorAll("tbody tr").forEach(tr => tr.onclick = ev => {
      const td = ev.target.closest("td[data-metric]");
      const p = pts.find(q => q.device === tr.dataset.device && q.code === tr.dataset.point);
      const m = td?.dataset.metric || p.limits[0]?.metric || ms[0];
      if (m) showTrend(tr.dataset.device, tr.dataset.point, m);
    });
  },
  // a displacement's or a building's 70 % / 100 % lines, both signs; a water level's above its baseline; an
  // anchor's at its band's ends; a crack's (a width: one sign)
  limits(device, point, metric) {
    const p = point && S.site.slope_points.find(q => q.device === device && q.code === point); if (!p) return null;
    const l = p.limits.find(x => x.metric === metric);
    if (!l) return [];
    if (metric === "anchor_kn") {  // the band's ends, and 70 % of the way to each from its middle
      const mid = (l.alarm + l.low) / 2, warn = (l.alarm - l.low) / 2 * l.warning_fraction;
      return [[mid + warn, "70%", "var(--warn)"], [l.alarm, "100%", "var(--alarm)"],
              [mid - warn, "", "var(--warn)"], [l.low, "", "var(--alarm)"]];
    }
    if (metric === "crack_mm") {  // a support crack's width below its allowable; a growing crack's above its baseline
      if (!l.growth) return [[l.alarm * l.warning_fraction, "70%", "var(--warn)"], [l.alarm, "100%", "var(--alarm)"]];
      return l.baseline_mm == null ? [] : [[l.baseline_mm + l.alarm, "100%", "var(--alarm)"]];
    }
    if (metric === "water_level_m") {
      if (l.baseline_m == null) return [];
      return [[l.baseline_m + l.alarm * l.warning_fraction, "70%", "var(--warn)"], [l.baseline_m + l.alarm, "100%", "var(--alarm)"]];
    }
    return [[l.alarm * l.warning_fraction, "70%", "var(--warn)"], [l.alarm, "100%", "var(--alarm)"],
            [-l.alarm * l.warning_fraction, "", "var(--warn)"], [-l.alarm, "", "var(--alarm)"]];
  },
  // slope points report hourly or less often: their trend opens on a week
  span: (device, point) => point && S.site.slope_points.some(q => q.device === device && q.code === point) ? 604800 : null,
});
