"use strict";
// The scaffold's card: each scaffold's load as % of its rating, and its layer of the site plan: each scaffold with
// a place in the site file, in its worst alert's colour (the plug-in's own words, drawing and style).
card({
  name: "scaffold", id: "scaffolds", cls: "cranes", title: "scaffolds",
  words: {zh: {scaffolds: "附着式升降脚手架", sc_load: "提升点荷载", sc_plan: "爬架", sc_plan_note: "蓝框：爬架"},
          en: {scaffolds: "Climbing scaffolds", sc_load: "Load", sc_plan: "scaffolds", sc_plan_note: "blue square: scaffold"}},
  css: "[data-scaffold] .rating { color:#8cc8ff; }",
  draw(el) {
    el.innerHTML = S.site.scaffolds.map(s => {
      const load = num((S.latest[s.id] || {}).load_kn), pct = load === undefined ? undefined : 100 * load / s.rated_load_kn;
      return `<div class="crane" data-scaffold="${esc(s.id)}"><b>${esc(s.id)}</b>
        ${gauge("sc_load", pct, "%", {warning: 90, alarm: 100, critical: 110}, 130, 0, s.id, "load_kn")}
        <span class="dim rating">${t("sc_load")} / ${s.rated_load_kn} kN</span></div>`;
    }).join("");
  },
  plan: {
    z: 1, legend: "sc_plan", note: "sc_plan_note",
    extent: () => S.site.scaffolds.filter(s => s.position_m).map(s => s.position_m),
    centre: () => S.site.scaffolds.filter(s => s.position_m).map(s => s.position_m),
    draw: ({u}) => S.site.scaffolds.filter(s => s.position_m).map(s => {
      const [x, y] = s.position_m, lv = worstFor(s.id);
      return `<g class="scaffold-plan" data-scaffold="${esc(s.id)}" data-level="${lv || "ok"}">
        <rect x="${x - 3*u}" y="${-y - 3*u}" width="${6*u}" height="${6*u}" fill="none" stroke="${lv ? COLOUR[lv] : "#4d8fff"}" stroke-width="${.8*u}"/>
        <text class="movable" x="${x + 4*u}" y="${-y}" font-size="${4*u}" fill="#e8eef4">${esc(s.id)}</text></g>`;
    }).join(""),
  },
});
