"use strict";
// kinds/power/card.js: temporary power: each distribution box's residual current against its RCD's rating,
// the RCD's state (a trip or protection switched off in its colour) and its last test (试跳), the incoming
// terminals' and the cabinet's temperatures against their lines, the fault-arc detector, the door and the
// lighting circuit's voltage against its safe voltage (profile power_box_monitor).
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
(() => {
  const TEMPS = [["temp_l1_c", "A"], ["temp_l2_c", "B"], ["temp_l3_c", "C"], ["temp_n_c", "N"], ["temp_box_c", "pw_box"]];
  const RCD_LEVEL = {1: "alarm", 3: "critical"};  // tripped: power.trip; protection off: power.bypass
  // each box's last test seen (a reading of 1 or 2): the monitor reports a test once, its later readings none
  const tested = {};
  const when = ts => new Date(ts * 1000).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB",
    {month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"});
  card({
    name: "power", id: "power", cls: "cranes", title: "pw_title",
    words: {
      zh: {pw_title:"临时用电", pw_main:"总配电箱", pw_sub:"分配电箱", pw_terminal:"开关箱", pw_wet:"潮湿场所",
           pw_leakage:"剩余电流", pw_rcd:"漏电保护器", pw_rcd_0:"合闸运行", pw_rcd_1:"漏电脱扣", pw_rcd_2:"手动分闸",
           pw_rcd_3:"漏电保护退出", pw_no_rcd:"未设漏电保护器", pw_temps:"温度", pw_box:"箱体", pw_arc:"故障电弧",
           pw_arc_0:"正常", pw_arc_1:"报警", pw_door:"箱门", pw_door_0:"关闭", pw_door_1:"打开",
           pw_test:"试跳", pw_rcd_test:"试跳脱扣", pw_test_1:"动作", pw_test_2:"不动作", pw_test_due:"超期未试跳", pw_lit:"照明",
           pw_lighting:"照明电压"},
      en: {pw_title:"Temporary power", pw_main:"main box", pw_sub:"sub box", pw_terminal:"terminal box", pw_wet:"wet place",
           pw_leakage:"Residual current", pw_rcd:"RCD", pw_rcd_0:"closed", pw_rcd_1:"tripped", pw_rcd_2:"opened by hand",
           pw_rcd_3:"protection off", pw_no_rcd:"no RCD", pw_temps:"Temperatures", pw_box:"cabinet", pw_arc:"Fault arc",
           pw_arc_0:"normal", pw_arc_1:"alarm", pw_door:"Door", pw_door_0:"closed", pw_door_1:"open",
           pw_test:"RCD test", pw_rcd_test:"tripped by its test", pw_test_1:"tripped", pw_test_2:"did not trip", pw_test_due:"overdue", pw_lit:"lighting",
           pw_lighting:"Lighting"},
    },
    draw(el) {
      const said = (text, level) => `<span data-level="${level || "ok"}" style="color:${level ? COLOUR[level] : "inherit"}">${esc(text)}</span>`;
      el.innerHTML = S.site.power_boxes.map(b => {
        const v = S.latest[b.id] || {}, lv = worstFor(b.id), dev = S.site.devices.find(d => d.id === b.id) || {};
        const leak = num(v.leakage_ma), rcd = num(v.rcd_state), arc = num(v.arc_alarm), door = num(v.door_state);
        const [warm, hot] = b.temp_c;
        // the leakage as a share of the rating: warning from the site's fraction, alarm at the rating (both reached)
        const bands = b.rcd_rated_ma ? {warning: 100 * b.leakage_warning_ma / b.rcd_rated_ma, alarm: 100, critical: 150} : null;
        const temps = TEMPS.map(([m, label]) => {
          const x = num(v[m]);
          if (x === undefined) return "";
          const level = x >= hot ? "alarm" : x >= warm ? "warning" : "";
          return `<span class="clickable" data-metric="${m}">${esc(label.length > 1 ? t(label) : label)} ${said(x.toFixed(1) + " ℃", level)}</span>`;
        }).filter(Boolean).join(" · ");
        const rating = b.rcd_rated_ma ? `${b.rcd_rated_ma} mA / ${b.rcd_time_s} s` : t("pw_no_rcd");
        // the test: power.rcd_test's alert while it stands, else the last test this page saw, with its time
        const test = num(v.rcd_test);
        if ((test === 1 || test === 2) && !(tested[b.id]?.ts >= v.rcd_test.ts)) tested[b.id] = v.rcd_test;
        const due = [...S.alerts.values()].find(a => a.rule === "power.rcd_test" && a.device === b.id && a.state !== "resolved");
        const last = tested[b.id];
        const testSaid = due ? said(t(due.level === "critical" ? "pw_test_2" : "pw_test_due"), due.level)
          : last ? said(t("pw_test_" + last.value), last.value === 2 ? "critical" : "") + ` <span class="dim">${esc(when(last.ts))}</span>` : "–";
        const volts = num(v.lighting_v), safe = b.lighting_safe_v;
        const lit = volts === undefined ? "–" : said(volts.toFixed(1) + " V", safe && volts > safe ? "critical" : "")
          + (safe ? ` <span class="dim">/ ≤ ${safe} V · ${esc(b.place)}</span>` : "");
        return `<div class="crane power ${lv ? "lv-" + lv : ""}" data-power="${esc(b.id)}"><div>${lv ? `<span class="tag ${lv}">${t(lv)}</span> ` : ""}<b>${esc(dev.name || b.id)}</b>
          <span class="dim">${t("pw_" + b.level)}${b.wet ? " · " + t("pw_wet") : ""}${b.lighting ? " · " + t("pw_lit") : ""}</span></div>
          ${bands && leak !== undefined ? gauge("pw_leakage", 100 * leak / b.rcd_rated_ma, "%", bands, 150, 0, b.id, "leakage_ma") : ""}
          <div class="kv"><span>${t("pw_leakage")}</span><span class="clickable" data-metric="leakage_ma">${leak === undefined ? "–" : leak.toFixed(1) + " mA"} <span class="dim">/ ${esc(rating)}</span></span>
          <span>${t("pw_rcd")}</span><span class="clickable" data-metric="rcd_state">${rcd === undefined ? "–" : rcd === 1 && test === 1 ? said(t("pw_rcd_test")) : said(t("pw_rcd_" + rcd), RCD_LEVEL[rcd])}</span>
          ${b.rcd_test_interval_h ? `<span>${t("pw_test")}</span><span class="clickable" data-metric="rcd_test">${testSaid}</span>` : ""}
          <span>${t("pw_temps")}</span><span>${temps || "–"}</span>
          <span>${t("pw_arc")}</span><span class="clickable" data-metric="arc_alarm">${arc === undefined ? "–" : said(t("pw_arc_" + arc), arc ? "alarm" : "")}</span>
          <span>${t("pw_door")}</span><span class="clickable" data-metric="door_state">${door === undefined ? "–" : t("pw_door_" + door)}</span>
          ${b.lighting ? `<span>${t("pw_lighting")}</span><span class="clickable" data-metric="lighting_v">${lit}</span>` : ""}</div></div>`;
      }).join("");
      el.querySelectorAll("[data-power] .clickable").forEach(c => c.onclick = () => showTrend(c.closest("[data-power]").dataset.power, "", c.dataset.metric));
    },
  });
})();
