"use strict";
// kinds/hoist/card.js: construction hoists: load against rated, persons, where the cage is and how it moves, doors,
// limit switches, fall arrester and driver (profile hoist_blackbox)
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
card({
  name: "hoist", id: "hoists", cls: "cranes", title: "hoists",
  words: {
    zh: {hoists:"施工升降机", cage_load:"载重", persons_in_cage:"载人", cage_height:"高度 / 楼层", floor_n:"{n} 层", speed:"速度",
         up:"上行", down:"下行", stopped:"停止", doors:"门", door_0:"全部关闭", door_1:"吊笼门开", door_2:"层门开", door_3:"天窗开",
         limits:"限位", limit_0:"正常", limit_1:"上限位", limit_2:"下限位", limit_3:"冲顶（上极限）", arrester:"防坠安全器",
         arrester_in:"在位", arrester_out:"不在位", driver:"司机", no_driver:"无人登录"},
    en: {hoists:"Construction hoists", cage_load:"Load", persons_in_cage:"Persons", cage_height:"Height / floor",
         floor_n:"floor {n}", speed:"Speed", up:"up", down:"down", stopped:"stopped", doors:"Doors",
         door_0:"all closed", door_1:"cage door open", door_2:"landing door open", door_3:"roof hatch open",
         limits:"Limit switches", limit_0:"normal", limit_1:"upper travel limit", limit_2:"lower travel limit",
         limit_3:"upper final limit (over-travel)", arrester:"Fall arrester", arrester_in:"in place",
         arrester_out:"not in place", driver:"Driver", no_driver:"nobody logged in"},
  },
  draw(el) {
    const hoists = S.site.hoists;
    const today = localDay();
    const said = (text, level) => `<span data-level="${level || "ok"}" style="color:${level ? COLOUR[level] : "inherit"}">${esc(text)}</span>`;
    el.innerHTML = hoists.map(h => {
      const v = S.latest[h.id] || {}, lv = worstFor(h.id);
      const load = num(v.load_t), persons = num(v.persons), speed = num(v.speed_ms), wind = num(v.wind_ms);
      const door = num(v.door_state), limit = num(v.limit_state), arrester = num(v.arrester_ok);
      const moving = speed !== undefined && Math.abs(speed) > h.moving_ms;
      const dir = speed === undefined ? "" : moving ? (speed > 0 ? "↑ " + t("up") : "↓ " + t("down")) : t("stopped");
      const floor = num(v.floor), driver = v.driver_id && String(v.driver_id.value).trim();
      const expired = h.arrester_valid_until < today;
      return `<div class="crane hoist ${lv ? "lv-" + lv : ""}" data-hoist="${esc(h.id)}"><b>${esc(h.id)}</b> <span class="dim">${esc((S.site.devices.find(d => d.id === h.id) || {}).name)} · ${esc(h.model)}</span>
        ${gauge("cage_load", load === undefined ? undefined : 100 * load / h.rated_load_t, "%", h.load_pct, 130, 0, h.id, "load_t")}
        <div class="kv"><span>${t("cage_load")}</span><span data-metric="load_t">${load === undefined ? "–" : load.toFixed(2)} / ${h.rated_load_t} t</span>
        <span>${t("persons_in_cage")}</span><span data-metric="persons">${persons === undefined ? "–" : said(`${persons} / ${h.rated_persons}`, persons > h.rated_persons ? "alarm" : "")}</span>
        <span>${t("cage_height")}</span><span data-metric="height_m">${fmt(v.height_m)}${floor === undefined ? "" : " · " + esc(t("floor_n").replace("{n}", floor))}</span>
        <span>${t("speed")}</span><span data-metric="speed_ms">${speed === undefined ? "–" : `${Math.abs(speed).toFixed(2)} m/s ${dir}`}</span>
        <span>${t("wind_ms")}</span><span data-metric="wind_ms">${wind === undefined ? "–" : said(wind.toFixed(1) + " m/s", wind > h.wind_alarm_ms ? "alarm" : "")}</span>
        <span>${t("doors")}</span><span data-metric="door_state">${door === undefined ? "–" : said(t("door_" + door), door ? (moving ? "critical" : "warning") : "")}</span>
        <span>${t("limits")}</span><span data-metric="limit_state">${limit === undefined ? "–" : said(t("limit_" + limit), limit === 3 ? "critical" : limit ? "warning" : "")}</span>
        <span>${t("arrester")}</span><span data-metric="arrester_ok">${arrester === undefined ? "" : said(t(arrester ? "arrester_in" : "arrester_out"), arrester ? "" : "critical") + " · "}${said(`${t("calibrated_until")} ${h.arrester_valid_until}${expired ? " (" + t("expired") + ")" : ""}`, expired ? "critical" : "")}</span>
        <span>${t("driver")}</span><span data-metric="driver_id">${driver ? esc(driver) : `<span class="dim">${t("no_driver")}</span>`}</span></div></div>`;
    }).join("");
    el.querySelectorAll(".gauge").forEach(g => g.onclick = () => showTrend(g.dataset.device, "", "load_t"));
  },
});
