"use strict";
// kinds/tunnel/card.js: each tunnel monitoring point's latest value against its control values (a deformation's
// cumulative and rate, the design's or the standard's fallback; a force's minimum and maximum, the design's), its
// worst open alert's colour, and the trend's lines.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js) and draws with the page's
// helpers: S (the site and its latest readings), t, esc, fmt, worstFor, showTrend.
card({
  name: "tunnel", id: "tunnel-card", title: "tunnel",
  words: {zh: {tunnel: "隧道监测点", tn_control: "控制值", tn_warning: "黄色预警", tn_alarm: "橙色预警", tn_critical: "红色预警"},
          en: {tunnel: "Tunnel points", tn_control: "Control", tn_warning: "yellow", tn_alarm: "orange", tn_critical: "red"}},
  html: `<div style="overflow-x:auto"><table id="tunnel"><thead></thead><tbody></tbody></table></div>`,
  draw(el) {
    const pts = S.site.tunnel_points;
    el.querySelector("#tunnel thead").innerHTML =
      `<tr><th>${t("point")}</th><th></th><th></th><th></th><th>${t("tn_control")}</th></tr>`;
    el.querySelector("#tunnel tbody").innerHTML = pts.map(p => {
      const r = Object.values(S.latest[p.device] || {}).find(x => x.point === p.code && x.metric === p.metric);
      const lv = worstFor(p.device, p.code);
      const word = lv ? t("tn_" + lv) : r ? t("ok") : "";
      const control = p.maximum_kn != null ? `${p.minimum_kn}–${p.maximum_kn} kN`
        : p.cumulative_mm == null ? "" : `${p.cumulative_mm} mm · ${p.rate_mm_d} mm/d`;
      return `<tr class="clickable" data-point="${esc(p.code)}" data-device="${esc(p.device)}" data-metric="${esc(p.metric)}">
        <td>${esc(p.code)}</td><td>${esc(lang === "zh" ? p.item_zh : p.item)}</td>
        <td>${word ? `<span class="tag ${lv || "ok"}">${esc(word)}</span>` : ""}</td>
        <td data-metric="${esc(p.metric)}">${r ? fmt(r, 2) : ""}</td><td class="dim">${esc(control)}</td></tr>`;
    }).join("");
    el.querySelectorAll("#tunnel tbody tr").forEach(tr => tr.onclick = () => showTrend(tr.dataset.device, tr.dataset.point, tr.dataset.metric));
  },
  // a deformation point's yellow (one item at 85 %) and orange (100 %) lines of its cumulative control, both
  // signs; a force point's yellow, orange and red on the way from its baseline to its maximum and its minimum
  limits(device, point, metric) {
    const p = point && S.site.tunnel_points.find(q => q.device === device && q.code === point && q.metric === metric);
    if (p && p.maximum_kn != null) {
      const at = (share, limit) => p.baseline_kn + share * (limit - p.baseline_kn);
      return [p.maximum_kn, p.minimum_kn].flatMap((limit, i) => [
        [at(p.yellow_both, limit), i ? "" : `${Math.round(p.yellow_both * 100)}%`, "var(--warn)"],
        [at(p.orange_both, limit), i ? "" : `${Math.round(p.orange_both * 100)}%`, "var(--alarm)"],
        [limit, i ? "" : "100%", "var(--crit)"]]);
    }
    if (!p || p.cumulative_mm == null) return null;
    const up = p.cumulative_mm, down = p.heave_mm ?? p.cumulative_mm;
    return [[up * p.yellow_one, "85%", "var(--warn)"], [up * p.orange_one, "100%", "var(--alarm)"],
            [-down * p.yellow_one, "", "var(--warn)"], [-down * p.orange_one, "", "var(--alarm)"]];
  },
  // tunnel points report every half hour or so: their trend opens on a week
  span: (device, point) => point && S.site.tunnel_points.some(q => q.device === device && q.code === point) ? 604800 : null,
});
