"use strict";
// kinds/shield/card.js: each shield machine's ring (and the special section it is in), advance rate, total thrust
// against the ring's planned upper end, chamber pressure against its set band, the last ring's grout and muck
// against the plan, its roll and deviations against what is allowed, and its tail seal and articulation.
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, gauge,
// worstFor, showTrend, COLOUR.
(() => {
  // the ring range a ring is in (a drive order), as kinds/shield/plan.py picks it
  const planAt = (s, ring) => (ring === undefined ? null : s.rings.find(r => r.from_ring <= ring && ring <= r.to_ring)) || {};
  card({
    name: "shield", id: "shield", cls: "cranes", title: "sh_title",
    words: {
      zh: {sh_title:"盾构机", sh_ring:"环号", sh_advance:"推进速度", sh_thrust:"总推力", sh_chamber:"土仓压力", sh_grout:"上环注浆量",
           sh_muck:"上环出土量", sh_attitude:"姿态", sh_roll:"自转", sh_h:"水平", sh_v:"竖向", sh_tail:"盾尾密封", sh_art:"铰接密封",
           sh_ok:"正常", sh_leak:"渗漏", sh_section:"特殊地段", sh_plan:"计划", sh_stopped:"停机"},
      en: {sh_title:"Shield machines", sh_ring:"Ring", sh_advance:"Advance", sh_thrust:"Total thrust", sh_chamber:"Chamber pressure",
           sh_grout:"Last ring's grout", sh_muck:"Last ring's muck", sh_attitude:"Attitude", sh_roll:"roll", sh_h:"H", sh_v:"V",
           sh_tail:"Tail seal", sh_art:"Articulation", sh_ok:"sealed", sh_leak:"leak", sh_section:"special section", sh_plan:"plan", sh_stopped:"stopped"},
    },
    draw(el) {
      const said = (text, level) => `<span data-level="${level || "ok"}" style="color:${level ? COLOUR[level] : "inherit"}">${esc(text)}</span>`;
      const val = (x, digits, unit) => x === undefined ? "–" : x.toFixed(digits) + (unit ? " " + unit : "");
      el.innerHTML = S.site.shields.map(s => {
        const v = S.latest[s.id] || {}, lv = worstFor(s.id), dev = S.site.devices.find(d => d.id === s.id) || {};
        const ring = num(v.ring), rate = num(v.advance_mm_min), thrust = num(v.thrust_kn), p = num(v.chamber_kpa);
        const plan = planAt(s, ring), limit = plan.thrust_max_kn ?? s.thrust_max_kn, band = plan.chamber_kpa ?? s.chamber_kpa;
        const sections = ring === undefined ? [] : s.sections.filter(x => x.from_ring <= ring && ring <= x.to_ring);
        // the thrust as a share of the planned upper end: above it (超出) is shield.thrust's alarm
        const bands = limit ? {warning: 100, alarm: 100, critical: 150} : null;
        const outside = band && p !== undefined && (p < band[0] || p > band[1]);
        const grout = num(v.grout_m3), muck = num(v.muck_m3), roll = num(v.roll_deg), h = num(v.dev_h_mm), vv = num(v.dev_v_mm);
        const beyond = (x, allowed) => x !== undefined && allowed && Math.abs(x) > allowed ? "alarm" : "";
        const seal = (m, label) => {
          const x = num(v[m]);
          const level = x > 0 ? (rate > 0 ? "critical" : "alarm") : "";
          return `<span>${t(label)}</span><span class="clickable" data-metric="${m}">${x === undefined ? "–" : said(t(x > 0 ? "sh_leak" : "sh_ok"), level)}</span>`;
        };
        return `<div class="crane shield ${lv ? "lv-" + lv : ""}" data-shield="${esc(s.id)}"><div>${lv ? `<span class="tag ${lv}">${t(lv)}</span> ` : ""}<b>${esc(dev.name || s.id)}</b>
          <span class="dim">${t("sh_ring")} ${ring === undefined ? "–" : ring}${sections.map(x => ` · ${t("sh_section")} ${esc(x.name)}`).join("")}</span></div>
          ${bands && thrust !== undefined ? gauge("sh_thrust", 100 * thrust / limit, "%", bands, 150, 0, s.id, "thrust_kn") : ""}
          <div class="kv"><span>${t("sh_advance")}</span><span class="clickable" data-metric="advance_mm_min">${rate === 0 ? t("sh_stopped") : val(rate, 1, "mm/min")}</span>
          <span>${t("sh_thrust")}</span><span class="clickable" data-metric="thrust_kn">${val(thrust, 0, "kN")} <span class="dim">/ ${limit ?? "–"} kN</span></span>
          <span>${t("sh_chamber")}</span><span class="clickable" data-metric="chamber_kpa">${said(val(p, 1, "kPa"), outside ? "warning" : "")} <span class="dim">${band ? band.join("–") + " kPa" : ""}</span></span>
          <span>${t("sh_grout")}</span><span class="clickable" data-metric="grout_m3">${said(val(grout, 2, "m³"), grout !== undefined && grout < s.grout_min_m3 ? "warning" : "")} <span class="dim">${t("sh_plan")} ≥ ${s.grout_min_m3 ?? "–"}</span></span>
          <span>${t("sh_muck")}</span><span class="clickable" data-metric="muck_m3">${said(val(muck, 1, "m³"), muck !== undefined && muck > s.muck_max_m3 ? "warning" : "")} <span class="dim">${t("sh_plan")} ≤ ${s.muck_max_m3 ?? "–"}</span></span>
          <span>${t("sh_attitude")}</span><span><span class="clickable" data-metric="roll_deg">${t("sh_roll")} ${said(val(roll, 2, "°"), beyond(roll, s.roll_max_deg))}</span> ·
            <span class="clickable" data-metric="dev_h_mm">${t("sh_h")} ${said(val(h, 0, "mm"), beyond(h, s.deviation_h_mm))}</span> ·
            <span class="clickable" data-metric="dev_v_mm">${t("sh_v")} ${said(val(vv, 0, "mm"), beyond(vv, s.deviation_v_mm))}</span></span>
          ${seal("tail_seal_leak", "sh_tail")}${seal("articulation_leak", "sh_art")}</div></div>`;
      }).join("");
      el.querySelectorAll("[data-shield] .clickable").forEach(c => c.onclick = () => showTrend(c.closest("[data-shield]").dataset.shield, "", c.dataset.metric));
    },
  });
})();
