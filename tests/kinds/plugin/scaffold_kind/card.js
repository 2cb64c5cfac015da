"use strict";
// The scaffold's card: each scaffold's load as % of its rating (the plug-in's own words and drawing).
card({
  name: "scaffold", id: "scaffolds", cls: "cranes", title: "scaffolds",
  words: {zh: {scaffolds: "附着式升降脚手架", sc_load: "提升点荷载"}, en: {scaffolds: "Climbing scaffolds", sc_load: "Load"}},
  draw(el) {
    el.innerHTML = S.site.scaffolds.map(s => {
      const load = num((S.latest[s.id] || {}).load_kn), pct = load === undefined ? undefined : 100 * load / s.rated_load_kn;
      return `<div class="crane" data-scaffold="${esc(s.id)}"><b>${esc(s.id)}</b>
        ${gauge("sc_load", pct, "%", {warning: 90, alarm: 100, critical: 110}, 130, 0, s.id, "load_kn")}
        <span class="dim">${t("sc_load")} / ${s.rated_load_kn} kN</span></div>`;
    }).join("");
  },
});
