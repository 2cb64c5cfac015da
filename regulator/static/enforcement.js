// the page enforcement.html's script, served from /ui/page/enforcement.js (no inline script: the pages'
// Content-Security-Policy): the penalties (行政处罚), 约谈 and 通报 of the user's jurisdiction
// (regulator/routes/enforcement.py), each with its document and whether it is public; helpers from common.js.
async function loadActions() {
  const rows = await api("/ui/api/enforcement/actions");
  $("actions").tBodies[0].innerHTML = rows.map(a => `<tr data-testid="action" data-kind="${esc(a.kind)}"><td>${esc(a.kind_name)}</td>
    <td>${esc(a.project_name)}<br><small>${esc(a.project)}</small></td><td>${esc(a.party)}</td>
    <td>${esc(a.case_number)}<br><small>${esc(a.article)}</small></td><td class="num">${a.amount ? esc(a.amount) : "—"}</td>
    <td>${esc(a.reason)}</td><td>${esc(a.happened_text)}</td>
    <td>${a.document ? `<a data-testid="action-document" href="${esc(a.document)}" target="_blank">查看</a>` : "—"}</td>
    <td>${a.public ? "公开" : "—"}</td></tr>`).join("") || `<tr><td colspan="9" class="note">无</td></tr>`;
}
const base64Of = (file) => new Promise((ok, fail) => {
  const reader = new FileReader();
  reader.onload = () => ok(String(reader.result).split(",", 2)[1]);
  reader.onerror = () => fail(new Error(`文书 ${file.name} 读取失败`));
  reader.readAsDataURL(file);
});
$("a-save").onclick = async () => {
  const at = dayOf("a-date");
  if (at === null) return;
  const file = $("a-document").files[0];
  try {
    const body = {kind: $("a-kind").value, project: $("a-project").value.trim(), happened_at: at, party: $("a-party").value.trim(),
                  party_kind: $("a-party-kind").value, case_number: $("a-case").value.trim(), article: $("a-article").value.trim(),
                  amount: +$("a-amount").value || 0, reason: $("a-reason").value.trim(), public: $("a-public").checked,
                  document: file ? await base64Of(file) : null};
    const r = await api("/ui/api/enforcement/actions", {method: "POST", body: JSON.stringify(body)});
    flash(`已登记 #${r.id}`, true); loadActions();
  } catch (e) { flash(e.message); }
};
(async () => {
  let me;
  try { me = await api("/ui/api/me"); } catch (e) { flash(e.message); return; }
  $("action-form").hidden = me.role === "project";  // a site's user reads its project's records, records none
  loadActions().catch(e => flash(e.message));
})();
