"use strict";
// kinds/crane/card.js: each tower crane's gauges (load, moment, wind, tilt against the bands of the rules in force)
// and its load, radius, hook height, slew and driver; its layer of the site plan draws each crane's reach, jib
// and hook where the hook is now.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
(() => {
  // where the hook is (site metres) and the jib's angle: the slew counted from the site file's offset, either way
  function hookXY(c, v) {
    const dir = c.slew_direction === "cw" ? -1 : 1;
    const a = ((num(v.slew_deg) ?? 0) * dir + c.slew_offset_deg) * Math.PI / 180;
    return [c.x + (num(v.radius_m) ?? 0) * Math.cos(a), c.y + (num(v.radius_m) ?? 0) * Math.sin(a), a];
  }
  // one crane on the plan: its reach (dashed), its jib and counter-jib in its worst alert's colour, the trolley, the
  // hook and its height; the name as the site calls it (1号塔吊)
  function planCrane(c, u) {
    const v = S.latest[c.id] || {}, lv = worstFor(c.id);
    const [hx, hy, a] = hookXY(c, v);
    const tipX = c.x + c.jib_m * Math.cos(a), tipY = c.y + c.jib_m * Math.sin(a);
    const cjX = c.x - c.counter_jib_m * Math.cos(a), cjY = c.y - c.counter_jib_m * Math.sin(a);
    const jib = lv ? COLOUR[lv] : "#f0c040", hgt = num(v.height_m);
    const named = S.site.devices.find(d => d.id === c.id)?.name || c.id;
    return `<g class="crane-plan" data-crane="${esc(c.id)}">
      <circle cx="${c.x}" cy="${-c.y}" r="${c.jib_m}" fill="rgba(240,192,64,.04)" stroke="#6b7785" stroke-dasharray="${2*u} ${2*u}" stroke-width="${.4*u}"/>
      <line x1="${cjX}" y1="${-cjY}" x2="${tipX}" y2="${-tipY}" stroke="${jib}" stroke-width="${1.3*u}"/>
      <rect x="${c.x - 1.5*u}" y="${-c.y - 1.5*u}" width="${3*u}" height="${3*u}" fill="#e8eef4"/>
      <rect class="trolley" x="${hx - 1.2*u}" y="${-hy - 1.2*u}" width="${2.4*u}" height="${2.4*u}" fill="none" stroke="#4cc9f0" stroke-width="${.5*u}"/>
      <circle class="hook" cx="${hx}" cy="${-hy}" r="${1*u}" fill="#4cc9f0"/>
      <text class="crane-name movable" x="${c.x + 2*u}" y="${-c.y - 3*u}" font-size="${4.5*u}" fill="#e8eef4">${esc(named)}</text>
      ${hgt === undefined ? "" : `<text class="hook-height movable" x="${hx + 2*u}" y="${-hy + 4*u}" font-size="${3*u}" fill="#4cc9f0">${hgt.toFixed(1)} m</text>`}</g>`;
  }
  card({
    name: "crane", id: "cranes", cls: "cranes", title: "cranes",
    words: {zh: {plan_cranes: "塔吊", plan_cranes_note: "虚线圆：塔吊回转半径"},
            en: {plan_cranes: "cranes", plan_cranes_note: "dashed circle: crane reach"}},
    // the machines over the ground: each crane's whole reach is on the plan; a schematic layer centres among them
    plan: {
      z: 1, legend: "plan_cranes", note: "plan_cranes_note",
      extent: () => S.site.cranes.flatMap(c => [[c.x - c.jib_m, c.y - c.jib_m], [c.x + c.jib_m, c.y + c.jib_m]]),
      centre: () => S.site.cranes.map(c => [c.x, c.y]),
      draw: ({u}) => S.site.cranes.map(c => planCrane(c, u)).join(""),
    },
    draw(el) {
      el.innerHTML = S.site.cranes.map(c => {
        const v = S.latest[c.id] || {}, b = c.bands, lv = worstFor(c.id);
        const load = num(v.load_t), rated = num(v.rated_load_t);
        const loadPct = load !== undefined && rated ? 100 * load / rated : undefined;
        const anemo = S.site.devices.find(d => d.kind === "anemometer");
        const wind = num(v.wind_ms) ?? (anemo ? num((S.latest[anemo.id] || {}).wind_ms) : undefined);
        return `<div class="crane ${lv ? "lv-" + lv : ""}" data-crane="${esc(c.id)}"><b>${esc(c.id)}</b> <span class="dim">${esc((S.site.devices.find(d => d.id === c.id) || {}).name)}</span>
          ${gauge("load_pct", loadPct, "%", b.load_pct, 130, 0, c.id, "load_pct")}
          ${gauge("moment_pct", num(v.moment_pct), "%", b.load_pct, 130, 0, c.id, "moment_pct")}
          ${gauge("wind_ms", wind, "m/s", b.wind_ms, 26, 1, c.id, "wind_ms")}
          ${gauge("tilt_deg", num(v.tilt_deg) === undefined ? undefined : Math.abs(num(v.tilt_deg)), "°", b.tilt_deg, b.tilt_deg.critical * 1.25, 3, c.id, "tilt_deg")}
          <div class="kv"><span>${t("load")}</span><span data-metric="load_t">${fmt(v.load_t, 2)} / ${fmt(v.rated_load_t, 2)}</span>
          <span>${t("radius")}</span><span data-metric="radius_m">${fmt(v.radius_m)}</span><span>${t("height")}</span><span data-metric="height_m">${fmt(v.height_m)}</span>
          <span>${t("slew")}</span><span data-metric="slew_deg">${fmt(v.slew_deg)}</span><span>${t("operator")}</span><span data-metric="operator_id">${fmt(v.operator_id)}</span></div></div>`;
      }).join("");
      el.querySelectorAll(".gauge").forEach(g => g.onclick = () => {
        const m = {load_pct:"load_t", moment_pct:"moment_pct", wind_ms:"wind_ms", tilt_deg:"tilt_deg"}[g.dataset.gauge];
        showTrend(g.dataset.device, "", m);
      });
    },
    // a gauge's bands as the trend's lines
    limits(device, point, metric) {
      const c = point ? null : S.site.cranes.find(x => x.id === device); if (!c) return null;
      const b = {moment_pct:c.bands.load_pct, wind_ms:c.bands.wind_ms, tilt_deg:c.bands.tilt_deg}[metric];
      return b ? [[b.warning, "", "var(--warn)"], [b.alarm, "100%", "var(--alarm)"], [b.critical, "", "var(--crit)"]] : [];
    },
    // with no open alert, the trend opens on the first crane's load
    firstTrend: () => S.site.cranes.length ? [S.site.cranes[0].id, "", "load_t"] : null,
  });
})();
