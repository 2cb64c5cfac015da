// the bureau's public page (regulator/inspections/public_page.py), served as a file: the page's policy allows
// no inline script. Everything comes from one cached answer, /public/api/page, and is written as text.
"use strict";
const day = (t) => new Date(t * 1000).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
const $ = (id) => document.getElementById(id);

function table(heads, rows) {
  if (!rows.length) return Object.assign(document.createElement("p"), { className: "meta", textContent: "暂无" });
  const t = document.createElement("table");
  const head = t.insertRow();
  for (const h of heads) head.append(Object.assign(document.createElement("th"), { textContent: h }));
  for (const r of rows) {
    const row = t.insertRow();
    for (const v of r) row.insertCell().textContent = v;
  }
  return t;
}

function caseBlock(c) {
  const a = document.createElement("article");
  const h = Object.assign(document.createElement("h3"), { textContent: c.title });
  const meta = Object.assign(document.createElement("p"), { className: "meta", textContent: `${c.kind_name} · ${c.district} · ${c.published_text}` });
  a.append(h, meta, Object.assign(document.createElement("p"), { textContent: c.text }));
  return a;
}

fetch("/public/api/page").then(async (r) => {
  if (!r.ok) {
    $("as-of").textContent = r.status === 429 ? "访问过于频繁，请稍后再试" : "暂时无法加载，请稍后再试";
    return;
  }
  const p = await r.json();
  $("as-of").textContent = `数据更新于 ${new Date(p.as_of * 1000).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false })}`;
  $("list-rule").textContent = `停工项目数占在建项目数 ${Math.round(p.publish_ratio * 100)}% 及以上的企业（${p.month}）`;
  $("companies").replaceChildren(table(["企业", "在建项目", "停工项目", "停工占比"],
    p.companies.map((c) => [c.name, c.projects, c.stopped, `${Math.round(c.ratio * 100)}%`])));
  $("cases").replaceChildren(...(p.cases.length ? p.cases.map(caseBlock) : [table([], [])]));
  $("draws").replaceChildren(table(["抽查", "辖区", "公示日期", "抽中项目"],
    p.draws.map((d) => [d.title, d.place || "全部辖区", day(d.published_at), d.result.map((x) => x.name).join("、")])));
  $("enforcement").replaceChildren(table(["类别", "项目", "当事人", "文号", "依据", "金额（元）", "事由", "日期"],
    p.enforcement.map((e) => [e.kind_name, e.project_name, e.party, e.case_number || "", e.article || "", e.amount ?? "", e.reason, e.happened_text])));
});
