"use strict";
// kinds/pit/card.js: the monitoring points' table, each point's latest values and its worst open alert; the site plan
// places the points around a schematic pit.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
card({
  name: "pit", id: "pit-card", title: "pit",
  html: `<div style="overflow-x:auto"><table id="pit"><thead></thead><tbody></tbody></table></div>`,
  draw(el) {
    const pts = S.site.pit_points, ms = [...new Set(pts.flatMap(p => Object.values(S.latest[p.device] || {}).filter(r => r.point === p.code).map(r => r.metric)))].sort();
    el.querySelector("#pit").querySelector("thead").innerHTML = `<tr><th>${t("point")}</th><th></th>${ms.map(m => `<th>${esc(t(m))}</th>`).join("")}</tr>`;
    el.querySelector("#pit").querySelector("tbody").innerHTML = pts.map(p => {
      const vals = {}; for (const r of Object.values(S.latest[p.device] || {})) if (r.point === p.code) vals[r.metric] = r;
      const lv = worstFor(p.device, p.code);
      return `<tr class="clickable" data-point="${esc(p.code)}" data-device="${esc(p.device)}"><td>${esc(p.code)}</td>
        <td>${lv ? `<span class="tag ${lv}">${t(lv)}</span>` : vals && Object.keys(vals).length ? `<span class="tag ok">${t("ok")}</span>` : ""}</td>
        ${ms.map(m => `<td data-metric="${m}">${vals[m] ? fmt(vals[m], 2) : ""}</td>`).join("")}</tr>`;
    }).join("");
    el.querySelector("#pit").querySelectorAll("tbody tr").forEach(tr => tr.onclick = ev => {
      const td = ev.target.closest("td[data-metric]");
      const p = pts.find(q => q.code === tr.dataset.point);
      const m = td?.dataset.metric || p.limits[0]?.metric || ms[0];
      if (m) showTrend(tr.dataset.device, tr.dataset.point, m);
    });
  },
  // a point's 70 % / 100 % lines of its cumulative alarm value, both signs (a water level's around its baseline)
  limits(device, point, metric) {
    const p = point && S.site.pit_points.find(q => q.device === device && q.code === point); if (!p) return null;
    const l = p.limits.find(x => x.metric === metric);
    if (!l || l.cumulative == null) return [];
    let L = l.cumulative, base = 0;
    if (metric === "water_level_m") { if (l.baseline == null) return []; L = L / 1000; base = l.baseline; }
    return [[base + L * l.warning_fraction, "70%", "var(--warn)"], [base + L, "100%", "var(--alarm)"],
            [base - L * l.warning_fraction, "", "var(--warn)"], [base - L, "", "var(--alarm)"]];
  },
  // pit points report every few hours: their trend opens on a week
  span: (device, point) => point && S.site.pit_points.some(q => q.device === device && q.code === point) ? 604800 : null,
});
