"use strict";
// kinds/crane/card.js: each tower crane's gauges (load, moment, wind, tilt against the bands of the rules in force)
// and its load, radius, hook height, slew and driver; the site plan draws the jib and the hook.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
card({
  name: "crane", id: "cranes", cls: "cranes", title: "cranes",
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
