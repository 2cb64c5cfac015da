"use strict";
// kinds/confined_space/card.js: confined spaces: who is inside and for how long (badge reads: the latest passage of each person; an
// entry sensor names nobody), the attendant at the entrance, the fan, and the last reading of each gas
// against its limit (ppm of H2S and CO converted to mg/m³ at 20 °C, as the rules judge them)
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
(() => {
  const MOLAR_G = {h2s: 34.08, co: 28.01};
  function gasShown(cs, v, gas) {
    const L = cs.limits;
    if (gas === "o2" || gas === "lel") {
      const r = v[gas + "_pct"]; if (!r || typeof r.value !== "number") return [undefined, "", false];
      const out = gas === "o2" ? r.value < L.o2_min_pct || r.value > L.o2_max_pct : r.value >= L.lel_pct;
      const limit = gas === "o2" ? `${L.o2_min_pct}–${L.o2_max_pct} %` : `< ${L.lel_pct} %LEL`;
      return [r, `${r.value.toFixed(gas === "o2" ? 1 : 1)} ${gas === "o2" ? "%" : "%LEL"}`, out, limit];
    }
    const mg = v[gas + "_mgm3"], ppm = v[gas + "_ppm"];
    const r = mg && (!ppm || mg.ts >= ppm.ts) ? mg : ppm; if (!r || typeof r.value !== "number") return [undefined, "", false];
    const value = r === ppm ? r.value * MOLAR_G[gas] / 24.04 : r.value, limit = gas === "h2s" ? L.h2s_mgm3 : L.co_mgm3;
    const text = r === ppm ? `${r.value.toFixed(1)} ppm (${value.toFixed(1)} mg/m³)` : `${value.toFixed(1)} mg/m³`;
    return [r, text, value >= limit, `< ${limit} mg/m³`];
  }
  card({
    name: "confined_space", id: "confined", cls: "cranes", title: "confined",
    css: ".confined .out { color:var(--crit); font-weight:bold; }",  // no attendant with someone inside
    words: {
      zh: {confined:"有限空间", cs_inside:"在内人员", cs_nobody:"无人在内", cs_attendant:"入口监护人", cs_no_attendant:"无监护人",
           cs_fan:"通风机", cs_fan_on:"运行", cs_fan_off:"停止", cs_limit:"限值"},
      en: {confined:"Confined spaces", cs_inside:"Inside", cs_nobody:"nobody inside",
           cs_attendant:"Attendant at the entrance", cs_no_attendant:"none", cs_fan:"Fan", cs_fan_on:"running",
           cs_fan_off:"stopped", cs_limit:"limit"},
    },
    draw(el) {
      const spaces = S.site.confined_spaces;
      const now = Date.now() / 1000, mins = s => t("cs_min").replace("{n}", Math.max(0, Math.floor(s / 60)));
      el.innerHTML = spaces.map(cs => {
        const v = S.latest[cs.id] || {}, lv = worstFor(cs.id), dev = S.site.devices.find(d => d.id === cs.id) || {};
        const all = Object.values(v), named = dev.transport === "mqtt";
        const inside = all.filter(r => r.metric === "inside" && r.value === 1), posts = all.filter(r => r.metric === "attendant" && r.value === 1);
        const who = inside.length ? inside.map(r => `<span data-person="${esc(r.point)}">${esc(r.point)}${named ? " · " + mins(now - r.ts) : ""}</span>`).join("、")
                                  : `<span class="dim">${t("cs_nobody")}</span>`;
        const post = posts.length ? posts.map(r => esc(r.point)).join("、") : inside.length ? `<span class="out">${t("cs_no_attendant")}</span>` : `<span class="dim">–</span>`;
        const fan = v.fan_on === undefined ? "–" : v.fan_on.value === 1 ? t("cs_fan_on") : `<span class="${inside.length ? "out" : ""}">${t("cs_fan_off")}</span>`;
        const gases = ["o2", "lel", "h2s", "co"].map(g => {
          const [r, text, out, limit] = gasShown(cs, v, g);
          if (!r) return "";
          return `<span>${t("cs_" + g)}</span><span class="clickable" data-metric="${esc(r.metric)}" data-level="${out ? "critical" : "ok"}"><span class="${out ? "out" : ""}">${esc(text)}</span> <span class="dim">${t("cs_limit")} ${esc(limit)}</span></span>`;
        }).join("");
        return `<div class="crane confined ${lv ? "lv-" + lv : ""}" data-confined="${esc(cs.id)}"><div>${lv ? `<span class="tag ${lv}">${t(lv)}</span> ` : ""}<b>${esc(dev.name || cs.id)}</b>
          <span class="dim">${esc(cs.area)}</span></div>
          <div class="kv"><span>${t("cs_inside")}</span><span data-metric="inside">${who}</span><span>${t("cs_attendant")}</span><span data-metric="attendant">${post}</span>
          <span>${t("cs_fan")}</span><span data-metric="fan_on">${fan}</span>${gases}</div></div>`;
      }).join("");
      el.querySelectorAll("[data-confined] .clickable").forEach(el => el.onclick = () => showTrend(el.closest("[data-confined]").dataset.confined, "", el.dataset.metric));
    },
  });
})();
