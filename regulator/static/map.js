// the page map.html's script, served from /ui/page/map.js: no inline script, so the pages' Content-Security-Policy
// (script-src 'self', regulator/routes/page_policy.py) can forbid any that a hostile value might smuggle in
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const WORST = {critical: ["危险", "#c62828"], alarm: ["报警", "#ef6c00"], warning: ["预警", "#f9a825"], none: ["无未销号隐患", "#43a047"]};
const LEVEL = {critical: "危险", alarm: "报警", warning: "预警"};
// a project whose gateway is not heard (here, or at the platform below that forwards it) is drawn grey: a green
// point would say all is well of a site nobody hears; its ring keeps its worst open hazard's colour
const OFFLINE = "#9e9e9e";
async function api(path) {
  const r = await fetch(path, {credentials: "same-origin"});
  if (r.status === 401) { location.href = "/"; throw new Error("未登录"); }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}
// no tiles: the map is the jurisdiction's boundaries, drawn from the regulator's own GeoJSON
const map = L.map("map", {zoomSnap: 0.25, attributionControl: false, preferCanvas: false});
// the projects above the areas' names (Leaflet's tooltip pane is 650): a name never hides a point
map.createPane("points").style.zIndex = 660;
let layers = [];
let place = new URLSearchParams(location.search).get("place") || "";
function crumbs(path) {
  if (!path) { $("crumbs").innerHTML = "<b>全部</b>"; return; }
  const names = path.split("/"), mine = (window.me && me.jurisdiction) || "";
  const top = mine ? mine.split("/").length : 1;
  $("crumbs").innerHTML = names.map((n, i) => {
    const p = names.slice(0, i + 1).join("/");
    return i === names.length - 1 ? `<b>${esc(n)}</b>` : i + 1 < top ? esc(n) : `<a data-place="${esc(p)}">${esc(n)}</a>`;
  }).join(" › ");
  $("crumbs").querySelectorAll("a").forEach(a => a.onclick = () => open(a.dataset.place));
}
// whether the project's gateway is heard (here, or at the city's platform that forwards it): the overview's offline
function liveness(p) {
  const at = p.last_seen_at == null ? "从未联系" : `最近 ${esc(new Date(p.last_seen_at * 1000).toLocaleString("zh-CN", {hour12: false}))}`;
  return `<div data-testid="popup-live">${p.offline ? `<b class="bad">网关离线</b>` : "网关在线"}（${at}）</div>`;
}
function popup(p, cameras) {
  const hs = p.hazards.map(h => `<li data-testid="popup-hazard"><span class="lvl ${esc(h.level)}">${LEVEL[h.level] || esc(h.level)}</span>
    ${h.major ? "<b>重大</b> " : ""}${esc(h.message)} <a href="/#hazard=${esc(h.id)}">详情</a></li>`).join("");
  const cams = (cameras[p.code] || []).map(c => `<a target="_blank" href="/ui/api/patrol/${encodeURIComponent(p.code)}/${encodeURIComponent(c)}/picture">${esc(c)}</a>`).join("，");
  return `<div class="popup" data-testid="popup"><h4>${esc(p.name)}</h4><div class="note">${esc(p.code)} · ${esc(p.place || p.district)}</div>
    ${liveness(p)}<div>未销号隐患 ${esc(p.open)}${p.open > p.hazards.length ? `（列出最严重的 ${esc(p.hazards.length)} 条）` : ""}</div>
    ${hs ? `<ol>${hs}</ol>` : ""}<div><a data-testid="popup-queue" href="/#queue?project=${encodeURIComponent(p.code)}">在审核队列中查看</a></div>
    <div>摄像头：${cams || "无"} · <a data-testid="popup-patrol" href="/#patrol?project=${encodeURIComponent(p.code)}">远程巡查</a></div></div>`;
}
// labels that would overlap a label already shown are hidden: the larger areas (drawn first) keep theirs
function declutter() {
  const shown = [];
  for (const el of document.querySelectorAll(".area-label")) {
    el.style.visibility = "visible";
    const b = el.getBoundingClientRect();
    if (shown.some(s => b.left < s.right && b.right > s.left && b.top < s.bottom && b.bottom > s.top)) el.style.visibility = "hidden";
    else shown.push(b);
  }
}
async function open(path) {
  let view;
  try { view = await api("/ui/api/map?" + new URLSearchParams({place: path || ""})); }
  catch (e) { $("flash").innerHTML = `<div class="msg err">${esc(e.message)}</div>`; return; }
  place = path || "";
  history.replaceState(null, "", place ? "?" + new URLSearchParams({place}) : location.pathname);
  layers.forEach(l => l.remove()); layers = [];
  crumbs(view.place);
  const feats = view.boundaries.features;
  const own = feats.filter(f => f.properties.role === "place");
  const parts = feats.filter(f => f.properties.role === "part");
  const area = (f) => L.geoJSON(f).getBounds();
  parts.sort((a, b) => { const x = area(a), y = area(b);
    return (y.getNorth() - y.getSouth()) * (y.getEast() - y.getWest()) - (x.getNorth() - x.getSouth()) * (x.getEast() - x.getWest()); });
  const located = view.points.filter(p => p.lat != null);
  // the view first: Leaflet makes a layer's SVG element only once the map has one
  const outline = L.geoJSON(own, {style: {color: "#17324d", weight: 3, fillColor: "#fbfcfd", fillOpacity: 1}, interactive: false});
  const bounds = own.length ? outline.getBounds() : L.geoJSON(parts).getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, {padding: [16, 16], animate: false});
  else if (located.length) map.fitBounds(L.latLngBounds(located.map(p => [p.lat, p.lon])), {padding: [30, 30], animate: false});
  else map.setView([23.1, 113.3], 7, {animate: false});
  outline.addTo(map);
  const labels = [];
  const regions = L.geoJSON(parts, {
    style: {color: "#6f8aa6", weight: 1.2, fillColor: own.length ? "#fbfcfd" : "#f3f6f9", fillOpacity: 1},
    onEachFeature: (f, layer) => {
      const [lon, lat] = f.properties.label;
      const label = L.tooltip({permanent: true, direction: "center", className: "area-label", interactive: true})
        .setLatLng([lat, lon]).setContent(esc(f.properties.name));
      label.on("click", () => open(f.properties.path));
      labels.push(label);
      layer.on("click", () => open(f.properties.path));
      layer.on("add", () => { const el = layer.getElement && layer.getElement();
        if (el) { el.setAttribute("data-testid", "region"); el.setAttribute("data-name", f.properties.name); } });
    },
  }).addTo(map);
  labels.forEach(l => l.addTo(map));
  layers.push(outline, regions, ...labels);
  const order = ["none", "warning", "alarm", "critical"];  // the worst drawn last, on top
  located.sort((a, b) => order.indexOf(a.worst) - order.indexOf(b.worst));
  for (const p of located) {
    const look = p.offline ? {color: p.worst === "none" ? "#fff" : WORST[p.worst][1], weight: p.worst === "none" ? 1.5 : 3, fillColor: OFFLINE}
      : {color: "#fff", weight: 1.5, fillColor: WORST[p.worst][1]};
    const m = L.circleMarker([p.lat, p.lon], {radius: 6 + Math.min(6, Math.sqrt(p.open) * 2), ...look,
      fillOpacity: 0.95, pane: "points"}).bindPopup(() => popup(p, view.cameras), {maxWidth: 360}).addTo(map);
    const el = m.getElement();
    el.setAttribute("data-testid", "project-point"); el.setAttribute("data-code", p.code); el.setAttribute("data-worst", p.worst);
    el.setAttribute("data-offline", String(p.offline));
    layers.push(m);
  }
  const name = view.place ? view.place.split("/").pop() : "全部";
  $("title").textContent = `${name} · ${view.points.length} 个项目`;
  $("legend").innerHTML = Object.entries(WORST).map(([k, [n]]) => `<li data-testid="legend-${k}"><span class="swatch w-${k}"></span>${n}
    <b>${view.points.filter(p => p.worst === k && p.lat != null && !p.offline).length}</b></li>`).join("")
    + `<li data-testid="legend-offline"><span class="swatch w-offline"></span>网关离线（外圈为最严重隐患）
    <b>${located.filter(p => p.offline).length}</b></li>`;
  const unplaced = view.points.filter(p => p.lat == null);
  // a project without coordinates still filters the queue to itself, as a point's popup does
  $("unplaced").innerHTML = unplaced.map(p => `<li><span class="swatch w-${esc(p.worst)}"></span>${esc(p.name)} <small>${esc(p.code)}</small>
    <a data-testid="unplaced-queue" href="/#queue?project=${encodeURIComponent(p.code)}">审核队列</a></li>`).join("")
    || `<li class="note">无</li>`;
  declutter();
  document.body.dataset.ready = place || "own";
}
map.on("zoomend moveend", declutter);
(async () => {
  try { window.me = await api("/ui/api/me"); } catch (e) { return; }
  open(place);
})();
