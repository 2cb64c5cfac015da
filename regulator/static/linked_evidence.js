// a city's picture or clip of one of its hazards, opened at the city by a link the province signs for the user
// (regulator/routes/linked_evidence.py). The page's Content-Security-Policy allows that city's address only;
// the link opens once and for a few minutes, so "again" asks the province for a fresh one each time.
(async () => {
  const [, , , hazard, sha] = location.pathname.split("/");
  const api_path = `/ui/api/linked-evidence/${hazard}/${sha}`;
  const again = $("again");
  again.href = `${api_path}?go=1`;
  let link;
  try { link = await api(api_path); } catch (e) {
    $("where").textContent = "无法签发查看链接";
    flash(`${e.message}`); return;
  }
  again.hidden = false;
  $("where").textContent = `存于${link.level} ${link.city}（${link.city_url}），链接签发给当前用户，${new Date(link.expires_at * 1000).toLocaleTimeString("zh-CN")} 前有效，仅可打开一次`;
  const failed = () => flash(`未能从${link.level} ${link.city}（${link.city_url}）打开此证据：该平台当前无法访问，或拒绝了链接（已过期、已使用或签名不符）。请确认能访问该地址后，点击下方链接重试。`);
  const shown = document.createElement(link.kind === "webm" ? "video" : "img");
  shown.dataset.testid = "linked-object";
  if (link.kind === "webm") { shown.controls = true; shown.muted = true; shown.playsInline = true; }
  else shown.alt = `${link.level}证据`;
  shown.onerror = failed;
  const opened = () => $("flash").innerHTML = `<div class="msg ok" data-testid="linked-opened">已从${esc(link.level)}打开</div>`;
  if (link.kind === "webm") shown.onloadeddata = opened; else shown.onload = opened;
  shown.src = link.url;
  $("object").replaceChildren(shown);
})();
