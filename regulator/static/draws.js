// the public page of the published 双随机 draws, served as a file: the page's policy allows no inline script
const when = t => new Date(t * 1000).toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false});
function cell(row, text, tag = "td") {
  const c = document.createElement(tag); c.textContent = text; row.appendChild(c);
}
function drawn(d) {
  const part = document.createElement("section");
  const h = document.createElement("h2"); h.textContent = d.title; part.appendChild(h);
  const meta = document.createElement("p"); meta.className = "meta";
  meta.textContent = `${d.place || "全部辖区"} · 抽取于 ${when(d.drawn_at)} · 公示于 ${when(d.published_at)} · 随机种子 `;
  const seed = document.createElement("code"); seed.textContent = d.seed; meta.appendChild(seed);
  part.appendChild(meta);
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const t of ["项目编号", "项目名称", "区县", "检查人员"]) cell(head, t, "th");
  for (const r of d.result) {
    const row = table.insertRow();
    for (const t of [r.project, r.name, r.district, r.inspectors.join("、")]) cell(row, t);
  }
  part.appendChild(table);
  return part;
}
fetch("/public/api/draws").then(r => r.json()).then(list => {
  const box = document.getElementById("draws");
  box.replaceChildren(...(list.length ? list.map(drawn) : [Object.assign(document.createElement("p"), {textContent: "暂无公示的抽查结果"})]));
});
