"use strict";
// kinds/formwork/card.js: high formwork: the pour (started and ended by a supervisor) and every point's four metrics as % of its
// alarm value. The block is rebuilt only when the pour, the user or the language changes, so that a click on
// its button is never lost to a redraw; the values are updated in place on every render.
// The pour is started and ended through /api/v1/pours (S.pours, loaded with the site's work windows).
// It registers itself with the dashboard's card() (gateway/api/static/dashboard.js, which loads it for a site
// with the kind) and draws with the page's helpers: S (the site and its latest readings), t, esc, num, fmt,
// gauge, worstFor, showTrend, COLOUR.
(() => {
  const point = (device, code) => S.site.formwork_points.find(q => q.device === device && q.code === code);
  async function pour(device, start) {
    const p = S.pours.find(x => x.device === device);
    if (!confirm(t(start ? "confirm_start" : "confirm_end").replace("{name}", p ? p.name : device))) return;
    await setWindow("pours", "pours", device, start, null, () => pour(device, start));
  }
  card({
    name: "formwork", id: "formwork", title: "formwork",
    // a point's values on one line; its % of the alarm value in smaller type
    css: ".fw-points td[data-metric] { white-space:nowrap; } .fw-points .pct { font-size:.85em; }",
    words: {
      zh: {formwork:"高支模监测", no_formwork:"本工地无高支模监测", pouring:"浇筑中", not_pouring:"未浇筑", start_pour:"开始浇筑",
           end_pour:"结束浇筑", pour_login:"安全员登录后可开始或结束浇筑", confirm_start:"确认开始 {name} 的浇筑？浇筑期间每个测点每分钟至少上报 2 次，超时即报警。",
           confirm_end:"确认结束 {name} 的浇筑？", fw_settle_mm:"沉降", fw_disp_h_mm:"水平位移", fw_tilt_deg:"立杆倾斜",
           fw_axial_kn:"立杆轴力", of_alarm:"括号内为占报警值的百分比", no_alarm_value:"无设计值，不判定"},
      en: {formwork:"High formwork", no_formwork:"No high formwork monitored on this site", pouring:"pouring",
           not_pouring:"not pouring", start_pour:"Start pour", end_pour:"End pour",
           pour_login:"A supervisor who logs in can start or end a pour",
           confirm_start:"Start the pour on {name}? During a pour every point must report at least twice a minute; a silent point is an alarm.",
           confirm_end:"End the pour on {name}?", fw_settle_mm:"settlement", fw_disp_h_mm:"horizontal disp.",
           fw_tilt_deg:"pole tilt", fw_axial_kn:"pole axial force", of_alarm:"in brackets: % of the alarm value",
           no_alarm_value:"no design value, not judged"},
    },
    draw(el) {
      const pts = S.site.formwork_points || [];
      const devices = [...new Set(pts.map(p => p.device).concat(S.pours.map(p => p.device)))];
      const drawn = JSON.stringify([S.pours, canSupervise(), lang, devices]);
      if (drawn !== el.dataset.drawn) {
        el.dataset.drawn = drawn;
        const metrics = ["settle_mm", "disp_h_mm", "tilt_deg", "axial_kn"];
        el.innerHTML = devices.length ? devices.map(dev => {
          const p = S.pours.find(x => x.device === dev) || {device:dev, name:dev, area:"", active:false, changed_ts:null, changed_by:""};
          const who = p.changed_ts ? `${t(p.active ? "started_by" : "ended_by")} ${esc(p.changed_by)} · ${when(p.changed_ts)}` : "";
          const button = canSupervise() ? `<button class="${p.active ? "" : "primary "}pour-btn" data-device="${esc(dev)}" data-start="${p.active ? "" : "1"}">${t(p.active ? "end_pour" : "start_pour")}</button>`
                                        : `<span class="dim">${t("pour_login")}</span>`;
          return `<div class="formwork ${p.active ? "pouring" : ""}" data-formwork="${esc(dev)}"><b>${esc(p.name)}</b> <span class="dim">${esc(dev)}${p.area ? " · " + esc(p.area) : ""}</span>
            <div class="pour" data-active="${p.active}"><span class="tag ${p.active ? "pouring" : "idle"}">${t(p.active ? "pouring" : "not_pouring")}</span>
              <span class="dim pour-by">${who}</span><span class="spacer"></span>${button}</div>
            <div style="overflow-x:auto"><table class="fw-points"><thead><tr><th>${t("point")}</th><th></th>${metrics.map(m => `<th>${t("fw_" + m)}</th>`).join("")}</tr></thead>
            <tbody>${pts.filter(q => q.device === dev).map(q => `<tr class="clickable" data-point="${esc(q.code)}" data-device="${esc(dev)}"><td>${esc(q.code)}</td><td class="fw-level"></td>
              ${metrics.map(m => `<td data-metric="${m}"></td>`).join("")}</tr>`).join("")}</tbody></table></div>
            <div class="dim" style="font-size:.85em">${t("of_alarm")}</div></div>`;
        }).join("") : `<div class="dim">${t("no_formwork")}</div>`;
        el.querySelectorAll(".pour-btn").forEach(b => b.onclick = () => pour(b.dataset.device, !!b.dataset.start));
        el.querySelectorAll("tbody tr").forEach(tr => tr.onclick = ev => {
          const m = ev.target.closest("td[data-metric]")?.dataset.metric || "settle_mm";
          showTrend(tr.dataset.device, tr.dataset.point, m);
        });
      }
      el.querySelectorAll("tbody tr").forEach(tr => {
        const q = point(tr.dataset.device, tr.dataset.point); if (!q) return;
        const vals = S.latest[q.device] || {}, lv = worstFor(q.device, q.code);
        tr.querySelector(".fw-level").innerHTML = lv ? `<span class="tag ${lv}">${t(lv)}</span>` : "";
        tr.querySelectorAll("td[data-metric]").forEach(td => {
          const r = vals[q.code + "/" + td.dataset.metric], l = q.limits.find(x => x.metric === td.dataset.metric);
          if (!r || typeof r.value !== "number") { td.innerHTML = ""; td.dataset.level = "none"; return; }
          const digits = td.dataset.metric === "tilt_deg" ? 3 : 1;
          let pct = "", level = "ok";
          if (l && l.alarm) {
            const p = (l.by_size ? Math.abs(r.value) : r.value) / l.alarm * 100;
            level = p >= 100 ? "critical" : p >= q.warning_fraction * 100 ? "warning" : "ok";
            pct = ` <span class="pct" style="color:${level === "ok" ? "var(--ok)" : COLOUR[level]}">(${p.toFixed(0)}%)</span>`;
          } else pct = ` <span class="pct dim" title="${t("no_alarm_value")}">(–)</span>`;
          td.dataset.level = level;
          td.innerHTML = `${r.value.toFixed(digits)} ${esc(r.unit)}${pct}`;
        });
      });
    },
    // a point's pre-warning and alarm lines (both signs where its size is judged)
    limits(device, pt, metric) {
      const f = pt && point(device, pt); if (!f) return null;
      const l = f.limits.find(x => x.metric === metric); if (!l || l.alarm == null) return [];
      const w = l.alarm * f.warning_fraction, pct = Math.round(f.warning_fraction * 100) + "%";
      return [[w, pct, "var(--warn)"], [l.alarm, "100%", "var(--crit)"]].concat(l.by_size ? [[-w, "", "var(--warn)"], [-l.alarm, "", "var(--crit)"]] : []);
    },
  });
})();
