// the one header of the regulator's pages, served from /ui/page/header.js and loaded right after each page's
// <header id="site-header"></header>, so every page has the same navigation, styled once (/ui/page/header.css).
// On the review UI (/) its tabs are buttons that index.js switches between; on the other pages they are links
// to the review UI's tab (/#TAB, which index.js follows).
(() => {
  const TABS = [  // [tab, name, id]
    ["queue", "审核队列"], ["listings", "挂牌督办"], ["patrol", "远程巡查"], ["overview", "总览统计"],
    ["audit", "审计记录"], ["incidents", "事故险情"], ["dangerous", "危大工程"], ["videoset", "视频监控项目集"],
    ["coverage", "巡查覆盖", "tab-coverage"], ["channels", "记录隐患", "tab-channels"], ["reports", "群众举报", "tab-reports"],
    ["classes", "隐患分类表", "tab-classes"], ["admin", "管理", "tab-admin"],
  ];
  // the tabs some roles do without: administration an admin's, the public's reports and patrol coverage a regulator's
  const FOR = {admin: (role) => role === "admin", reports: (role) => role !== "project", coverage: (role) => role !== "project"};
  const PAGES = [  // [path, name, test id]
    ["/ui/map", "项目地图", "places-map"], ["/ui/grading", "重点风险分级", "grading-page"],
    ["/ui/safety-logs", "安全日志与考勤", "nav-safety-logs"], ["/warnings", "气象预警", "nav-warnings"],
    ["/ui/national-export", "全国平台报送", "nav-national-export"], ["/forwarding", "逐级转报", "nav-forwarding"],
    ["/ui/year", "年度检查", "nav-year"], ["/ui/inspect", "现场检查", "nav-inspect"], ["/ui/enforcement", "执法记录", "nav-enforcement"],
  ];
  const host = document.getElementById("site-header");
  const home = location.pathname === "/";
  const tabs = TABS.map(([tab, name, id]) => home
    ? `<button type="button" data-tab="${tab}"${id ? ` id="${id}"` : ""}${tab === "queue" ? ` class="on"` : ""}>${name}</button>`
    : `<a href="/#${tab}">${name}</a>`).join("");
  const pages = PAGES.map(([path, name, testid]) => `<a href="${path}" data-testid="${testid}"${
    location.pathname === path ? ` class="on" aria-current="page"` : ""}>${name}</a>`).join("");
  host.className = "site-header";
  host.innerHTML = `<h1><a href="/">建筑工地安全隐患 监管平台</a></h1>
    <button type="button" class="menu" id="site-menu" aria-expanded="false" aria-controls="site-nav">菜单</button>
    <nav id="site-nav">${tabs}${pages}</nav>
    <span class="who" id="who"></span>
    ${home ? `<button type="button" class="act hidden" id="enrol-open">绑定动态口令</button>` : ""}
    <button type="button" class="act warn" id="logout">退出</button>`;
  const menu = document.getElementById("site-menu");
  menu.onclick = () => menu.setAttribute("aria-expanded", String(host.classList.toggle("open")));
  // the signed-in user's tabs only (index.js calls this once it knows the user; the other pages below)
  window.siteTabsFor = (role) => {
    for (const [tab, allowed] of Object.entries(FOR)) host.querySelector(`[data-tab="${tab}"], a[href="/#${tab}"]`).classList.toggle("hidden", !allowed(role));
    host.querySelector('a[href="/forwarding"]').classList.toggle("hidden", role !== "admin");  // the chain's state: admins'
    for (const path of ["/ui/year", "/ui/inspect"])  // the authority's plans and inspections: a site's users have none
      host.querySelector(`a[href="${path}"]`).classList.toggle("hidden", role === "project");
  };
  if (home) return;  // the review UI names the user and signs out itself (its sign-in form)
  fetch("/ui/api/me", {credentials: "same-origin"}).then(r => r.ok ? r.json() : null).then(me => {
    if (!me) return;
    document.getElementById("who").textContent = `${me.username} · 辖区 ${me.jurisdiction || "全部"}`;
    window.siteTabsFor(me.role);
  });
  document.getElementById("logout").onclick = async () => {
    await fetch("/ui/api/logout", {method: "POST", credentials: "same-origin"});
    location.href = "/";
  };
})();
