/* The case list (案件列表): teams, panels and consortia newest first (GET /v1/formations), or
   demands and topics (GET /v1/demands, /v1/topics), with status, text search, kind and date
   filters and cursor paging. Everything is in the URL (/ui/cases?type=team&status=…&q=…&cursor=…),
   so a reload or a shared link shows the same page. Each row opens its detail page.
   app.js calls KexieCases.pageCases(ctx). */
"use strict";
(function () {
  const { t } = window.I18N;
  const TYPES = ["all", "team", "panel", "consortium", "demand", "topic"];
  const STATUSES = ["proposed", "confirmed", "declined"];
  const DETAIL = { team: "/ui/team/", panel: "/ui/panel/", consortium: "/ui/consortium/" };
  const PAGE = 20;

  function params() {
    const u = new URLSearchParams(location.search);
    const type = TYPES.includes(u.get("type")) ? u.get("type") : "all";
    return { type, status: u.get("status") || "", q: u.get("q") || "", since: u.get("since") || "", until: u.get("until") || "", cursor: u.get("cursor") || "" };
  }
  function url(p) {
    const u = new URLSearchParams();
    Object.entries(p).forEach(([k, v]) => { if (v && !(k === "type" && v === "all")) u.set(k, v); });
    const s = u.toString();
    return "/ui/cases" + (s ? "?" + s : "");
  }

  async function pageCases(ctx) {
    const { h, show } = ctx;
    const p = params(), here = location.pathname + location.search;
    const isRequest = p.type === "demand" || p.type === "topic";
    const opt = (v, text, sel) => h("option", { value: v, selected: v === sel }, text);
    const type = h("select", { id: "cases-type" }, TYPES.map((x) => opt(x, t("cases.type." + x), p.type)));
    const status = h("select", { id: "cases-status" }, opt("", t("cases.anyStatus"), p.status),
      (isRequest ? ["open", ...STATUSES] : STATUSES).map((x) => opt(x, t(isRequest ? "cases.rstatus." + x : "status." + x), p.status)));
    const q = h("input", { id: "cases-q", type: "search", maxlength: "200", placeholder: t("cases.qPh"), value: p.q });
    const since = h("input", { id: "cases-since", type: "date", value: p.since, disabled: isRequest });
    const until = h("input", { id: "cases-until", type: "date", value: p.until, disabled: isRequest });
    const field = (id, text, control) => h("label", { class: "field", for: id }, h("span", {}, text), control);
    const form = h("form", { class: "card", role: "search", id: "cases-form", onsubmit: (ev) => {
      ev.preventDefault();
      const req = type.value === "demand" || type.value === "topic";
      ctx.go(url({ type: type.value, status: status.value, q: q.value.trim(), since: req ? "" : since.value, until: req ? "" : until.value }));
    } },
      h("div", { class: "form-grid" }, field("cases-type", t("cases.type"), type), field("cases-status", t("cases.status"), status),
        field("cases-q", t("cases.q"), q), field("cases-since", t("cases.since"), since), field("cases-until", t("cases.until"), until)),
      h("div", { class: "actions" }, h("button", { type: "submit", id: "cases-submit" }, t("cases.apply")),
        h("a", { href: "/ui/cases", class: "button-link" }, t("cases.reset"))));
    type.addEventListener("change", () => { const req = type.value === "demand" || type.value === "topic"; since.disabled = until.disabled = req; });
    const box = h("section", { class: "card", id: "cases", "aria-labelledby": "cases-h", "aria-busy": "true" }, h("p", { class: "muted" }, t("loading")));
    show(h("h1", {}, t("title.cases")), h("p", { class: "muted" }, t("cases.intro")), form, box);
    const qs = new URLSearchParams({ limit: String(PAGE) });
    if (p.status) qs.set("status", p.status);
    if (p.q) qs.set("q", p.q);
    if (p.cursor) qs.set("cursor", p.cursor);
    if (!isRequest) { if (p.type !== "all") qs.set("kind", p.type); if (p.since) qs.set("since", p.since); if (p.until) qs.set("until", p.until); }
    const path = isRequest ? `/v1/${p.type}s` : "/v1/formations";
    let page;
    try { page = await ctx.api(`${path}?${qs}`); }
    catch (e) {
      if (!ctx.signedIn() || location.pathname + location.search !== here) return;
      while (box.firstChild) box.removeChild(box.firstChild);
      box.setAttribute("aria-busy", "false");
      return box.appendChild(ctx.errorBox(e));
    }
    if (location.pathname + location.search !== here) return;   // the user moved on meanwhile
    while (box.firstChild) box.removeChild(box.firstChild);
    box.setAttribute("aria-busy", "false");
    box.appendChild(h("h2", { id: "cases-h" }, t("cases.count", { n: page.count }) + (p.cursor ? t("cases.later") : "")));
    if (!page.data.length) box.appendChild(h("p", { class: "muted", "data-testid": "cases-empty" }, t("cases.none")));
    else box.appendChild(h("div", { class: "table-wrap" }, isRequest ? requestTable(ctx, p.type, page.data) : formationTable(ctx, page.data)));
    box.appendChild(h("nav", { class: "pager actions", "aria-label": t("cases.pages") },
      p.cursor ? h("a", { href: url(Object.assign({}, p, { cursor: "" })), "data-action": "first" }, "« " + t("cases.first")) : null,
      page.next_cursor ? h("a", { href: url(Object.assign({}, p, { cursor: page.next_cursor })), "data-action": "next", rel: "next" }, t("cases.next") + " »") : null));
  }

  function statusBadge(h, st) {
    return h("span", { class: "badge " + (st === "confirmed" ? "ok" : st === "declined" ? "bad" : ""), "data-status": st || "" }, st ? t("status." + st) : "");
  }
  function when(iso) { return iso ? String(iso).slice(0, 10) : ""; }

  function formationTable(ctx, rows) {
    const { h } = ctx;
    const en = window.I18N.getLang() === "en";
    return h("table", { id: "cases-table" }, h("caption", { class: "sr-only" }, t("title.cases")),
      h("thead", {}, h("tr", {}, [t("cases.title"), t("cases.kind"), t("cases.party"), t("cases.status"), t("cases.date"), t("cases.members")].map((c, i) => h("th", { scope: "col", class: i === 5 ? "num" : null }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", { "data-testid": "case-row", "data-id": r.id, "data-kind": r.kind },
        h("td", {}, h("a", { href: DETAIL[r.kind] + encodeURIComponent(r.id) }, r.title || t("cases.untitled"))),
        h("td", {}, t("cases.type." + r.kind)),
        h("td", {}, (en && r.enterprise_name_en) || r.enterprise_name || r.issuer || ""),
        h("td", {}, statusBadge(h, r.status)),
        h("td", { class: "nowrap" }, when(r.created_at)),
        h("td", { class: "num" }, String(r.members))))));
  }

  function requestTable(ctx, type, rows) {
    const { h } = ctx;
    const en = window.I18N.getLang() === "en";
    const list = (r) => (type === "demand" ? r.teams : r.panels) || [];
    const base = type === "demand" ? DETAIL.team : DETAIL.panel;
    return h("table", { id: "cases-table" }, h("caption", { class: "sr-only" }, t("title.cases")),
      h("thead", {}, h("tr", {}, [t("cases.title"), type === "demand" ? t("team.enterprise") : t("panel.issuer"), type === "demand" ? t("cases.teams") : t("cases.panels")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((r) => {
        const fs = [...list(r)].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
        return h("tr", { "data-testid": "case-row", "data-id": r.id, "data-kind": type },
          h("td", {}, fs.length ? h("a", { href: base + encodeURIComponent(fs[0].id) }, r.title || t("cases.untitled")) : (r.title || t("cases.untitled"))),
          h("td", {}, type === "demand" ? ((en && r.enterprise_name_en) || r.enterprise_name || "") : (r.issuer || "")),
          h("td", {}, fs.length ? h("ul", { class: "plain" }, fs.map((f) => h("li", {}, h("a", { href: base + encodeURIComponent(f.id) }, when(f.created_at) || t("cases.open")), " ", statusBadge(h, f.status))))
            : h("span", { class: "muted" }, t("cases.rstatus.open"))));
      })));
  }

  window.KexieCases = { pageCases };
})();
