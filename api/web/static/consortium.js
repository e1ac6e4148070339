/* The staff's consortium page (创新联合体): a theme or industry cluster → industry, university and
   research organisations that together cover its disciplines, each with its role, the ties
   between them and why it is in. /ui/consortium proposes one; /ui/consortium/<id> reopens a
   saved one (a reload, a colleague's link, the case list). app.js calls
   KexieConsortium.pageConsortium(ctx, id); shared pieces come from KexieFormation. */
"use strict";
(function () {
  const { t, label } = window.I18N;
  const zh = () => window.I18N.getLang() === "zh";
  const F = () => window.KexieFormation;
  const cons = {
    form: { theme: "", minSize: 3, maxSize: 5 },
    created: null, status: null, error: null, busy: false,
  };
  const onPage = () => /^\/ui\/consortium(\/|$)/.test(location.pathname);

  async function pageConsortium(ctx, id) {
    const { h, show } = ctx;
    const f = cons.form, K = F();
    if (id && (!cons.created || cons.created.formation_id !== id) && !cons.busy) {
      show(h("p", { class: "muted" }, t("loading")));
      let saved;
      try { saved = await K.loadSaved(ctx, "consortia", id); }
      catch (e) { if (!ctx.signedIn()) return; return show(h("h1", {}, t("title.consortium")), K.loadError(ctx, "consortium", e)); }
      f.theme = (saved.request || {}).title || saved.request_id || "";
      Object.assign(cons, { created: saved, status: saved.record.status, error: null });
      if (!onPage()) return;
    }
    const theme = h("textarea", { id: "cons-theme", rows: "2", maxlength: "2000", required: true, placeholder: t("cons.themePh") });
    theme.value = f.theme;
    const minSize = h("input", { id: "cons-min", type: "number", min: "1", max: "20", value: String(f.minSize) });
    const maxSize = h("input", { id: "cons-max", type: "number", min: "2", max: "20", value: String(f.maxSize) });
    const err = h("div", { id: "cons-form-error" });
    const submit = h("button", { type: "submit", id: "cons-submit", disabled: cons.busy }, cons.busy ? t("cons.running") : t("cons.submit"));
    const form = h("form", { class: "card", id: "cons-form", novalidate: true, "aria-labelledby": "cons-form-h", onsubmit: async (ev) => {
      ev.preventDefault();
      f.theme = theme.value.trim(); f.minSize = K.intOr(minSize.value, 3); f.maxSize = K.intOr(maxSize.value, 5);
      const fail = (msg, el) => { while (err.firstChild) err.removeChild(err.firstChild); err.appendChild(h("div", { class: "error", role: "alert" }, msg)); el.focus(); };
      if (!f.theme) return fail(t("cons.needTheme"), theme);
      if (f.maxSize < 2 || f.maxSize > 20 || f.minSize < 1 || f.minSize > f.maxSize) return fail(t("cons.badSize"), minSize);
      await propose(ctx);
    } },
      h("h2", { id: "cons-form-h", class: "form-h" }, t("cons.formHeading")),
      K.field(ctx, "cons-theme", t("cons.theme"), theme),
      h("div", { class: "form-grid" }, K.field(ctx, "cons-min", t("cons.minSize"), minSize), K.field(ctx, "cons-max", t("cons.maxSize"), maxSize)),
      err, h("div", { class: "actions" }, submit));
    const result = h("div", { id: "cons-result", "aria-busy": cons.busy ? "true" : "false" });
    show(h("h1", {}, t("title.consortium")), h("p", { class: "muted" }, t("cons.intro")), form, result);
    renderResult(ctx, result);
  }

  async function propose(ctx) {
    const f = cons.form;
    cons.busy = true; cons.error = null;
    if (onPage()) await pageConsortium(ctx);
    ctx.announce(t("cons.running"));
    try {
      const res = await ctx.api("/v1/consortia", { body: { theme: f.theme, min_size: f.minSize, max_size: f.maxSize } });
      cons.created = Object.assign({}, res, { created_at: new Date().toISOString(), request: { title: f.theme } });
      cons.status = "proposed";
      ctx.setUrl("/ui/consortium/" + encodeURIComponent(res.formation_id));
      ctx.announce(t("cons.done", { n: res.proposal.members.length }));
    } catch (e) {
      if (!ctx.signedIn()) return;
      cons.error = e; ctx.announce(t("team.failed"));
    } finally { cons.busy = false; }
    if (onPage()) await pageConsortium(ctx);
  }

  async function move(ctx, what) {
    try {
      const rec = await ctx.api(`/v1/consortia/${encodeURIComponent(cons.created.formation_id)}/${what}`, { method: "POST" });
      cons.status = rec.status; cons.error = null; ctx.announce(t("status." + rec.status));
    } catch (e) { if (!ctx.signedIn()) return; cons.error = e; }
    if (onPage()) await pageConsortium(ctx);
  }

  function renderResult(ctx, box) {
    const { h } = ctx, K = F();
    if (cons.error) box.appendChild(ctx.errorBox(cons.error));
    if (!cons.created) { if (!cons.busy && !cons.error) box.appendChild(h("p", { class: "muted empty" }, t("cons.empty"))); return; }
    if (!cons.created.proposal) return box.appendChild(K.savedOnly(ctx, "consortium", cons.created, cons.status));
    const res = cons.created, p = res.proposal, L = window.MSG.registerAll(res.labels || {});
    const nm = (id, fb) => K.nameOf(L, id, fb);
    const byId = Object.fromEntries(p.members.map((m) => [m.id, m]));
    const orgName = (id) => nm(id, byId[id] ? byId[id].name : t("cons.otherOrg"));
    const disc = (c) => { const d = (p.theme_disciplines || []).find(([code]) => code === c); return nm(c, d ? d[1] : c); };
    const kinds = [...new Set(p.members.map((m) => m.kind))];
    const head = h("section", { class: "card cons-head", "aria-labelledby": "cons-h", "data-formation-id": res.formation_id },
      K.printHead(ctx, "title.consortium", [[t("cons.theme"), p.theme], [t("f.date"), K.fmtDate(res.created_at)], [t("f.status"), t("status." + cons.status)]]),
      h("div", { class: "result-head" }, h("h2", { id: "cons-h" }, t("cons.proposal", { theme: p.theme })),
        h("span", { class: "badge " + (cons.status === "confirmed" ? "ok" : cons.status === "declined" ? "bad" : ""), "data-testid": "cons-status" }, t("status." + cons.status)),
        p.feasible ? h("span", { class: "badge ok" }, t("f.allHold")) : h("span", { class: "badge bad" }, t("f.someFail"))),
      h("p", { class: "muted" }, t("cons.meta", { date: K.fmtDate(res.created_at), solver: t("solver." + p.solver), s: p.seconds })),
      h("div", { class: "summary" },
        h("div", { class: "stat" }, t("cons.orgs"), h("b", {}, String(p.members.length))),
        h("div", { class: "stat" }, t("cons.kinds"), h("b", {}, kinds.map((k) => label("okind", k)).join("、"))),
        h("div", { class: "stat" }, t("obj.objective"), h("b", {}, K.num(p.objective))),
        h("div", { class: "stat" }, t("cons.tiesSum"), h("b", {}, K.num(p.ties_sum)))),
      (p.theme_disciplines || []).length ? h("p", {}, h("b", {}, t("cons.disciplines") + "："), h("span", { "data-testid": "cons-disciplines" }, p.theme_disciplines.map(([c]) => disc(c)).join("、"))) : null,
      h("div", { class: "actions" },
        h("button", { type: "button", id: "cons-confirm", disabled: cons.status !== "proposed", onclick: () => move(ctx, "confirm") }, cons.status === "confirmed" ? t("team.confirmed") : t("cons.confirm")),
        h("button", { type: "button", class: "secondary", id: "cons-decline", disabled: cons.status === "declined", onclick: () => move(ctx, "decline") }, t("cons.decline")),
        K.outputs(ctx, "consortia", res.formation_id, null)));
    const rows = p.members.map((m) => h("tr", { "data-testid": "cons-member", "data-id": m.id },
      h("td", {}, h("b", { class: "name" }, nm(m.id, m.name)), h("div", { class: "muted" }, t("cons.relevance") + " " + m.relevance.toFixed(3))),
      h("td", {}, label("okind", m.kind)),
      h("td", {}, m.disciplines.map(disc).join("、"), m.unique_disciplines.length ? h("div", { class: "muted" }, t("cons.only") + m.unique_disciplines.map(disc).join("、")) : null),
      h("td", { "data-testid": "cons-reason" }, h("ul", { class: "reasons" },
        m.contribution ? h("li", {}, window.MSG.field(m, "contribution")) : null,
        m.unique_kinds.length ? h("li", {}, t("cons.onlyKind", { k: m.unique_kinds.map((k) => label("okind", k)).join("、") })) : null,
        m.experts.length ? h("li", {}, t("cons.experts") + "：", m.experts.flatMap(([sid, name], i) => [i ? "、" : "", h("a", { href: "/ui/experts/" + encodeURIComponent(sid) }, nm(sid, name))])) : null)),
      h("td", {}, m.ties.length ? h("ul", { class: "reasons" }, m.ties.map(([other, strength, what], i) => h("li", { "data-testid": "cons-tie" }, orgName(other) + "：" + (m.tie_reasons_codes && m.tie_reasons_codes[i] ? window.MSG.field(m, "tie_reasons", i) : what) + ` (${strength.toFixed(2)})`))) : h("span", { class: "muted" }, t("none")))));
    const members = h("section", { class: "card", "aria-labelledby": "cm-h" }, h("h2", { id: "cm-h" }, t("cons.members", { n: p.members.length })),
      h("div", { class: "table-wrap" }, h("table", { id: "cons-members" }, h("caption", { class: "sr-only" }, t("cons.members", { n: p.members.length })),
        h("thead", {}, h("tr", {}, [t("cons.org"), t("cons.role"), t("result.disciplines"), t("f.reasons"), t("cons.ties")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows))));
    const checks = h("section", { class: "card", "aria-labelledby": "cc-h" }, h("h2", { id: "cc-h" }, t("f.checks")), h("div", { class: "table-wrap" }, K.checksTable(ctx, "cons-checks", p.checks.map((c) => (c.name === "size" ? Object.assign({}, c, { name: "consortium_size" }) : c)))));
    const svg = K.svgGraph(ctx, "cons-graph", t("cons.graphDesc", { n: p.members.length }));
    const graph = h("section", { class: "card graph-wrap", "aria-labelledby": "cg-h" }, h("h2", { id: "cg-h" }, t("cons.graph")), svg,
      K.legend(ctx, [["request", t("cons.theme")], ["member", t("cons.org")], ["var(--c-scientist)", t("cons.ties"), true]]));
    box.append(head, members, h("div", { class: "two" }, checks, graph));
    const nodes = [{ id: "t:theme", label: p.theme.length > 14 ? p.theme.slice(0, 13) + "…" : p.theme, type: "request", title: p.theme }], edges = [];
    p.members.forEach((m) => { nodes.push({ id: "o:" + m.id, label: nm(m.id, m.name).slice(0, 10), type: "member", title: `${nm(m.id, m.name)} · ${label("okind", m.kind)}` });
      edges.push({ source: "t:theme", target: "o:" + m.id, dashed: true }); });
    const seen = new Set();
    p.members.forEach((m) => m.ties.forEach(([other, , what]) => {
      const k = [m.id, other].sort().join("|");
      if (byId[other] && !seen.has(k)) { seen.add(k); edges.push({ source: "o:" + m.id, target: "o:" + other, kind: "tie", title: what }); }
    }));
    window.KexieGraph.draw(svg, nodes, edges, { width: 700, height: 420 });
  }

  window.KexieConsortium = { pageConsortium };
})();
