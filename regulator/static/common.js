// what the regulator's form-and-table pages' scripts share (grading.js, year.js, enforcement.js), served from /ui/page/common.js
// and loaded before the page's own: its elements, escaping for markup, the API with its errors shown in #flash,
// a day typed in as Unix seconds.
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
// the API's answer; signed out: back to the sign-in; an error answer: an Error with the server's words
async function api(path, opts = {}) {
  const r = await fetch(path, {credentials: "same-origin", headers: {"Content-Type": "application/json"}, ...opts});
  if (r.status === 401) { location.href = "/"; throw new Error("未登录"); }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || JSON.stringify(body.detail) || r.statusText);
  return body;
}
function flash(text, ok) { $("flash").innerHTML = `<div class="msg ${ok ? "ok" : "err"}">${esc(text)}</div>`; }
// a yyyy-MM-dd field as Unix seconds (empty: now); null, with the message shown, when it is no date
function dayOf(id) {
  const date = $(id).value.trim();
  const at = date ? Date.parse(date + "T00:00:00+08:00") / 1000 : Date.now() / 1000;
  if (Number.isNaN(at)) { flash(`日期 ${date} 不是 yyyy-MM-dd`); return null; }
  return at;
}
