// the public form's script (群众举报), served as a file: the page's policy allows no inline script
const $ = id => document.getElementById(id);
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
function show(text, ok) { $("result").innerHTML = `<div class="msg ${ok ? "ok" : "err"}">${esc(text)}</div>`; }
function readFile(input) {
  return new Promise((resolve, reject) => {
    const file = input.files[0];
    if (!file) return resolve(null);
    const r = new FileReader(); r.onload = () => resolve(r.result); r.onerror = () => reject(r.error); r.readAsDataURL(file);
  });
}
fetch("/public/api/districts").then(r => r.json()).then(d => {
  $("district").innerHTML = d.districts.map(p => `<option value="${esc(p)}">${esc(p)}</option>`).join("");
});
$("form").onsubmit = async ev => {
  ev.preventDefault();
  $("send").disabled = true;
  try {
    const body = {district: $("district").value, site: $("site").value, description: $("description").value,
      photo: await readFile($("photo")), reporter: $("reporter").value, contact: $("contact").value};
    const r = await fetch("/public/api/reports", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const answer = await r.json().catch(() => ({error: `HTTP ${r.status}`}));
    if (r.ok) { show(answer.message, true); $("form").reset(); }
    else show(answer.error || (answer.detail || []).map(d => d.msg).join("; ") || `HTTP ${r.status}`, false);
  } catch (e) { show(String(e), false); }
  finally { $("send").disabled = false; }
};
