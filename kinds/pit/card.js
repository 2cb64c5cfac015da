"use strict";
// kinds/pit/card.js: the monitoring points' table, each point's latest values and its worst open alert; its layer
// of the site plan places the points around a schematic pit, each in its worst alert's colour.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
(() => {
  // the site file gives no coordinates for pit points: a schematic pit of 56 × 34 m centred among what the plan
  // places (the cranes), the points spaced evenly around its edge
  const W = 56, H = 34;
  function layout([cx, cy]) {
    const pts = S.site.pit_points, x0 = cx - W / 2, y0 = cy - H / 2, per = 2 * (W + H);
    const pos = pts.map((p, i) => {
      let d = (i + .5) * per / pts.length;
      if (d < W) return [x0 + d, y0]; d -= W; if (d < H) return [x0 + W, y0 + d]; d -= H;
      if (d < W) return [x0 + W - d, y0 + H]; d -= W; return [x0, y0 + H - d];
    });
    return {x0, y0, pos};
  }
  function drawPlan({u, centre}) {
    if (!S.site.pit_points.length) return "";
    const {x0, y0, pos} = layout(centre);
    let h = `<rect x="${x0}" y="${-(y0 + H)}" width="${W}" height="${H}" fill="rgba(120,90,50,.25)" stroke="#8a6d3b" stroke-width="${.5*u}" stroke-dasharray="${1.5*u} ${1*u}"/>
      <text class="pit-caption movable" x="${x0 + 1}" y="${-(y0 + H) + 4.5*u}" font-size="${3.5*u}" fill="#c9a46a">${t("pit_area")}</text>`;
    S.site.pit_points.forEach((p, i) => {
      const [px, py] = pos[i], lv = worstFor(p.device, p.code);
      const has = Object.values(S.latest[p.device] || {}).some(r => r.point === p.code);
      const fill = lv ? COLOUR[lv] : has ? "var(--ok)" : "var(--none)";
      h += `<g class="pit-point fixed" data-point="${esc(p.code)}" data-level="${lv || (has ? "ok" : "none")}" style="cursor:pointer">
        <circle cx="${px}" cy="${-py}" r="${1.8*u}" fill="${fill}" stroke="#000" stroke-width="${.3*u}"/>
        <text x="${px + 2*u}" y="${-py - 1.6*u}" font-size="${2.4*u}" fill="#ddd">${esc(p.code)}</text></g>`;
    });
    return h;
  }
  // a point on the plan opens its trend: its first limited metric, else any it reports
  function bindPlan(svg) {
    svg.querySelectorAll(".pit-point").forEach(g => g.onclick = () => {
      const p = S.site.pit_points.find(q => q.code === g.dataset.point);
      const m = p.limits[0]?.metric || Object.values(S.latest[p.device] || {}).find(r => r.point === p.code)?.metric;
      if (m) showTrend(p.device, p.code, m);
    });
  }
  card({
    name: "pit", id: "pit-card", title: "pit",
    words: {zh: {pit_area: "基坑（示意）", plan_pit: "基坑测点", plan_pit_note: "基坑为示意位置，点击测点查看曲线"},
            en: {pit_area: "Pit (schematic)", plan_pit: "pit points", plan_pit_note: "the pit is drawn schematically, click a point for its trend"}},
    // the ground, under the machines: the schematic pit, framed on the plan with what the site file places
    plan: {
      z: 0, legend: "plan_pit", note: "plan_pit_note", draw: drawPlan, bind: bindPlan,
      extent: ({centre: [cx, cy]}) => S.site.pit_points.length ? [[cx - W / 2, cy - H / 2], [cx + W / 2, cy + H / 2]] : [],
    },
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
})();
