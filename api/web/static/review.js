/* The staff's review pages (item 13 of the policy: 成果评价, 科技奖励推荐, 标准评审):
   评审专家组 (/ui/evaluation?round=<id>&item=<id>): pick an item of a round, propose an independent
   panel, see each member's relevance and the ties they disclose, every EXCLUDED candidate with the
   evidence of the conflict, the checks, and confirm the saved panel;
   评审轮次 (/ui/rounds, /ui/rounds/<id>): assign a whole round with a chosen solver (exact / fair /
   greedy), see each item's reviewers, each reviewer's load, the worst-served item's relevance, the
   excluded pairs and the audit records.
   The URL names the round and item, so a link opens the same page; the round page shows the stored
   assignment and its audits until a new one is made. Reasons and checks come with codes and are
   rendered by MSG (messages.js) in the page's language. app.js calls
   KexieReview.pageEvaluation(ctx) / pageRounds(ctx, id) with its helpers (h, api, …). */
"use strict";
(function () {
  const { t, label } = window.I18N;
  const zh = () => window.I18N.getLang() === "zh";
  const SOLVERS = ["exact", "fair", "greedy"];

  const ev = { rounds: null, roundId: null, round: null, itemId: null, panels: null, size: 5, pool: 40, noQuotas: false, relax: false,
               result: null, status: null, error: null, busy: false };
  const rd = { rounds: null, id: null, round: null, audits: null, solver: "exact", k: "", L: "", result: null, error: null, busy: false };

  // ---------- shared pieces -------------------------------------------------------------------
  /* The i-th sentences of a coded field: MSG renders codes; plain text goes through the pages'
     translator of common English reasons. */
  function sentences(obj, key) {
    const texts = (obj && obj[key]) || [], codes = (obj && obj[key + "_codes"]) || [];
    return texts.map((x, i) => (codes[i] && codes[i].code !== "text" ? window.MSG.render(codes[i], x) : window.MSG.why(x)));
  }
  function checkName(name) {
    const k = "check." + name.replace("quota:", "quota.");
    return window.I18N.STRINGS[window.I18N.getLang()][k] !== undefined ? t(k) : name;
  }
  function num(x) { return typeof x === "number" ? x.toFixed(3) : ""; }
  const pairName = (p) => (Array.isArray(p) ? p[1] || p[0] : String(p));
  const joiner = () => (zh() ? "、" : ", ");
  function table(h, id, caption, cols, rows) {
    return h("div", { class: "table-wrap" }, h("table", { id }, h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, cols.map(([c, n]) => h("th", { scope: "col", class: n ? "num" : null }, c)))), h("tbody", {}, rows)));
  }
  function checksTable(ctx, id, checks) {
    const { h } = ctx;
    return table(h, id, t("f.checks"), [[t("f.constraint")], [t("f.holdsCol")], [t("f.detail")]],
      checks.map((c) => h("tr", { "data-check": c.name, "data-holds": String(c.holds) },
        h("td", {}, checkName(c.name)),
        h("td", {}, h("span", { class: "mark " + (c.holds ? "ok" : "bad"), "aria-label": c.holds ? t("f.holds") : t("f.fails") }, c.holds ? "✓" : "✗")),
        h("td", { class: "muted" }, window.MSG.field(c, "detail")))));
  }
  function reasonList(h, obj, key) {
    const xs = sentences(obj, key);
    return xs.length ? h("ul", { class: "reasons" }, xs.map((x) => h("li", {}, x))) : h("span", { class: "muted" }, t("none"));
  }
  function problemBox(ctx, err) {
    const { h } = ctx;
    if (!(err instanceof ctx.ApiError) || err.type !== "/problems/infeasible") return ctx.errorBox(err);
    const body = err.body || {};
    return h("div", { class: "error infeasible", role: "alert", "data-testid": "infeasible" },
      h("h2", {}, t("rv.infeasible")),
      h("ul", { class: "infeasible-reasons" }, (body.reasons ? sentences(body, "reasons") : [err.detail]).map((r) => h("li", {}, r))),
      body.advice ? h("p", { class: "advice" }, h("b", {}, t("f.advice") + "："), body.advice) : null);
  }
  async function loadRounds(ctx, st) {
    if (!st.rounds) st.rounds = await ctx.api("/v1/rounds");
    return st.rounds;
  }
  function policyLine(r) {
    return t("rv.policy", { c: r.coauthor_years, i: r.institution_years, s: r.service_years,
      ex: (r.exclude || []).map((x) => label("tie", x)).join(joiner()), dis: (r.disclose || []).map((x) => label("tie", x)).join(joiner()) || t("none") });
  }

  // =========================================================================================
  // 评审专家组
  // =========================================================================================
  function evalUrl(round, item) {
    const q = new URLSearchParams();
    if (round) q.set("round", round);
    if (item) q.set("item", item);
    const s = q.toString();
    return "/ui/evaluation" + (s ? "?" + s : "");
  }
  const onEvalPage = () => location.pathname.replace(/\/+$/, "") === "/ui/evaluation";

  async function pageEvaluation(ctx) {
    const { h, show } = ctx;
    const u = new URLSearchParams(location.search);
    try {
      await loadRounds(ctx, ev);
      let roundId = u.get("round") || (ev.rounds[0] && ev.rounds[0].id) || null;
      if (roundId && roundId !== ev.roundId) { ev.round = await ctx.api("/v1/rounds/" + encodeURIComponent(roundId)); ev.roundId = roundId; }
      const items = ev.round ? ev.round.items : [];
      const itemId = u.get("item") && items.some((i) => i.id === u.get("item")) ? u.get("item") : (items[0] && items[0].id) || null;
      if (itemId !== ev.itemId || !ev.panels) {
        if (itemId !== ev.itemId) Object.assign(ev, { result: null, status: null, error: null });
        ev.itemId = itemId;
        ev.panels = itemId ? (await ctx.api("/v1/evaluations/" + encodeURIComponent(itemId))).panels : [];
      }
      if (!onEvalPage()) return;
      if (evalUrl(u.get("round"), u.get("item")) !== evalUrl(roundId, itemId)) history.replaceState({}, "", evalUrl(roundId, itemId));
    } catch (e) {
      if (!ctx.signedIn() || !onEvalPage()) return;
      if (e instanceof ctx.ApiError && e.status === 404) return show(h("h1", {}, t("title.evaluation")), h("div", { class: "error", role: "alert" }, t("rv.notFound")));
      return show(h("h1", {}, t("title.evaluation")), ctx.errorBox(e));
    }
    if (!ev.rounds.length) return show(h("h1", {}, t("title.evaluation")), h("p", { class: "muted" }, t("rv.noRounds")));
    const items = ev.round.items, item = items.find((i) => i.id === ev.itemId);
    const roundSel = h("select", { id: "ev-round", onchange: () => { ev.panels = null; ctx.go(evalUrl(roundSel.value, null)); } },
      ev.rounds.map((r) => h("option", { value: r.id, selected: r.id === ev.roundId }, `${r.name}（${r.id}）`)));
    const itemSel = h("select", { id: "ev-item", onchange: () => ctx.go(evalUrl(ev.roundId, itemSel.value)) },
      items.map((i) => h("option", { value: i.id, selected: i.id === ev.itemId }, `${i.id} ${i.title}`)));
    const numIn = (id, v, min, max) => h("input", { id, type: "number", min: String(min), max: String(max), value: String(v) });
    const size = numIn("ev-size", ev.size, 1, 30), pool = numIn("ev-pool", ev.pool, 5, 300);
    const noQuotas = h("input", { id: "ev-noquotas", type: "checkbox", checked: ev.noQuotas });
    const relax = h("input", { id: "ev-relax", type: "checkbox", checked: ev.relax });
    const err = h("div", { id: "ev-form-error" });
    const field = (id, text, control) => h("label", { class: "field", for: id }, h("span", {}, text), control);
    const form = h("form", { class: "card", id: "ev-form", novalidate: true, "aria-labelledby": "ev-form-h", onsubmit: async (e) => {
      e.preventDefault();
      ev.size = parseInt(size.value, 10); ev.pool = parseInt(pool.value, 10); ev.noQuotas = noQuotas.checked; ev.relax = relax.checked;
      const fail = (msg, el) => { while (err.firstChild) err.removeChild(err.firstChild); err.appendChild(h("div", { class: "error", role: "alert" }, msg)); el.focus(); };
      if (!(ev.size >= 1 && ev.size <= 30)) return fail(t("rv.badSize"), size);
      if (!(ev.pool >= 5 && ev.pool <= 300)) return fail(t("rv.badPool"), pool);
      await proposePanel(ctx);
    } },
      h("h2", { id: "ev-form-h", class: "form-h" }, t("rv.pick")),
      h("div", { class: "form-2" }, field("ev-round", t("rv.round"), roundSel), field("ev-item", t("rv.item"), itemSel)),
      item ? itemFacts(ctx, item) : null,
      h("div", { class: "form-grid" }, field("ev-size", t("rv.size"), size), field("ev-pool", t("rv.pool"), pool)),
      h("label", { class: "check", for: "ev-noquotas" }, noQuotas, " ", t("rv.noQuotas")),
      h("label", { class: "check", for: "ev-relax" }, relax, " ", t("panel.relax")),
      err,
      h("div", { class: "actions" }, h("button", { type: "submit", id: "ev-submit", disabled: ev.busy || !item }, ev.busy ? t("rv.proposing") : t("rv.propose"))));
    const result = h("div", { id: "ev-result", "aria-busy": ev.busy ? "true" : "false" });
    show(h("h1", {}, t("title.evaluation")), h("p", { class: "muted" }, t("rv.evalIntro")), form, result, panelsOfItem(ctx));
    renderPanel(ctx, result);
  }

  function itemFacts(ctx, item) {
    const { h } = ctx;
    return h("dl", { class: "facts-list", id: "ev-item-facts", "data-id": item.id },
      h("dt", {}, t("rv.kind")), h("dd", {}, label("ikind", item.kind)),
      h("dt", {}, t("rv.applicants")), h("dd", { "data-testid": "applicants" }, item.applicants.map(pairName).join(joiner()) || t("none")),
      h("dt", {}, t("rv.orgs")), h("dd", {}, item.organizations.map(pairName).join(joiner()) || t("none")),
      h("dt", {}, t("result.disciplines")), h("dd", {}, item.disciplines.map(pairName).join(joiner()) || t("none")),
      item.text ? [h("dt", {}, t("rv.text")), h("dd", {}, item.text)] : null);
  }

  function panelsOfItem(ctx) {
    const { h } = ctx;
    const ps = ev.panels || [];
    return h("section", { class: "card", "aria-labelledby": "ev-panels-h" }, h("h2", { id: "ev-panels-h" }, t("rv.itemPanels", { n: ps.length })),
      ps.length ? table(h, "ev-panels", t("rv.itemPanels", { n: ps.length }), [[t("rv.panelId")], [t("f.status")], [t("f.date")], [t("rv.members"), 1]],
        ps.map((p) => h("tr", { "data-id": p.id, "data-status": p.status }, h("td", {}, p.id), h("td", {}, t("status." + p.status)),
          h("td", {}, String(p.created_at || "").slice(0, 10)), h("td", { class: "num" }, String(p.members.length)))))
        : h("p", { class: "muted" }, t("rv.noPanels")));
  }

  async function proposePanel(ctx) {
    ev.busy = true; ev.error = null;
    if (onEvalPage()) await pageEvaluation(ctx);
    ctx.announce(t("rv.proposing"));
    try {
      const body = { size: ev.size, pool_size: ev.pool, no_quotas: ev.noQuotas, relax: ev.relax, save: true };
      ev.result = await ctx.api(`/v1/evaluations/${encodeURIComponent(ev.itemId)}/panel`, { body });
      ev.status = "proposed";
      ev.panels = (await ctx.api("/v1/evaluations/" + encodeURIComponent(ev.itemId))).panels;
      ctx.announce(t("rv.proposed", { n: ev.result.proposal.members.length, x: ev.result.proposal.excluded.length }));
    } catch (e) {
      if (!ctx.signedIn()) return;
      ev.error = e; ev.result = null; ctx.announce(t("rv.failed"));
    } finally { ev.busy = false; }
    if (onEvalPage()) await pageEvaluation(ctx);
    const r = document.getElementById("ev-result-h"); if (r) r.focus();
  }

  async function confirmPanel(ctx) {
    try {
      await ctx.api(`/v1/panels/${encodeURIComponent(ev.result.saved_as)}/confirm`, { method: "POST" });
      ev.status = "confirmed";
      ev.panels = (await ctx.api("/v1/evaluations/" + encodeURIComponent(ev.itemId))).panels;
      ctx.announce(t("rv.confirmedNote"));
    } catch (e) { if (!ctx.signedIn()) return; ev.error = e; }
    if (onEvalPage()) await pageEvaluation(ctx);
  }

  function renderPanel(ctx, box) {
    const { h } = ctx;
    if (ev.error) box.appendChild(problemBox(ctx, ev.error));
    if (!ev.result) { if (!ev.busy && !ev.error) box.appendChild(h("p", { class: "muted empty" }, t("rv.evalEmpty"))); return; }
    const p = ev.result.proposal, pid = ev.result.saved_as;
    p.members.forEach((m) => window.MSG.register(m.id, m.name));
    p.excluded.forEach((e) => window.MSG.register(e.id, e.name));
    const pol = p.policy || {};
    const head = h("section", { class: "card", "aria-labelledby": "ev-result-h", "data-panel-id": pid || "" },
      h("div", { class: "result-head" },
        h("h2", { id: "ev-result-h", tabindex: "-1" }, t("rv.panelFor", { title: p.item_title })),
        h("span", { class: "badge " + (ev.status === "confirmed" ? "ok" : ""), "data-testid": "ev-status" }, t("status." + ev.status)),
        p.feasible ? h("span", { class: "badge ok" }, t("f.allHold")) : h("span", { class: "badge bad" }, t("f.someFail"))),
      h("p", { class: "muted" }, t("rv.panelMeta", { id: pid || "—", solver: p.solver, s: p.seconds, n: p.considered.length })),
      h("p", { class: "muted", "data-testid": "policy" }, t("rv.policy", { c: pol.coauthor_years, i: pol.institution_years, s: pol.service_years,
        ex: (pol.exclude || []).map((x) => label("tie", x)).join(joiner()), dis: (pol.disclose || []).map((x) => label("tie", x)).join(joiner()) || t("none") })),
      h("div", { class: "summary" },
        h("div", { class: "stat" }, t("rv.members"), h("b", {}, String(p.members.length))),
        h("div", { class: "stat" }, t("f.relevance"), h("b", {}, num(p.relevance_mean))),
        h("div", { class: "stat" }, t("rv.excludedN"), h("b", { "data-testid": "excluded-count" }, String(p.excluded.length)))),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "ev-confirm", disabled: !pid || ev.status !== "proposed", onclick: () => confirmPanel(ctx) },
          ev.status === "confirmed" ? t("status.confirmed") : t("rv.confirm"))));
    const members = h("section", { class: "card", "aria-labelledby": "ev-members-h" }, h("h2", { id: "ev-members-h" }, t("rv.membersN", { n: p.members.length })),
      table(h, "ev-members", t("rv.membersN", { n: p.members.length }),
        [[t("f.expert")], [t("panel.institution")], [t("expert.grade")], [t("f.relevance"), 1], [t("rv.evidence")], [t("rv.disclosed")]],
        p.members.map((m) => h("tr", { "data-testid": "ev-member", "data-id": m.id },
          h("td", {}, h("a", { href: "/ui/experts/" + encodeURIComponent(m.id) }, m.name)), h("td", {}, m.institution || ""),
          h("td", {}, label("grade", m.grade)), h("td", { class: "num" }, ctx.bar(m.relevance, "small"), " ", num(m.relevance)),
          h("td", {}, (m.evidence || []).join("；")), h("td", {}, reasonList(h, m, "disclosed"))))));
    const excluded = h("section", { class: "card", "aria-labelledby": "ev-excluded-h" }, h("h2", { id: "ev-excluded-h" }, t("rv.excludedHeading", { n: p.excluded.length })),
      h("p", { class: "muted" }, t("rv.excludedIntro")),
      p.excluded.length ? table(h, "ev-excluded", t("rv.excludedHeading", { n: p.excluded.length }), [[t("f.expert")], [t("f.relevance"), 1], [t("rv.evidenceOfConflict")]],
        p.excluded.map((e) => h("tr", { "data-testid": "ev-excluded", "data-id": e.id },
          h("td", {}, h("a", { href: "/ui/experts/" + encodeURIComponent(e.id) }, e.name)), h("td", { class: "num" }, num(e.relevance)),
          h("td", {}, reasonList(h, e, "reasons"))))) : h("p", { class: "muted" }, t("f.noExcluded")));
    const checks = h("section", { class: "card", "aria-labelledby": "ev-checks-h" }, h("h2", { id: "ev-checks-h" }, t("f.checks")), checksTable(ctx, "ev-checks", p.checks));
    [head, members, excluded, checks].forEach((x) => box.appendChild(x));
  }

  // =========================================================================================
  // 评审轮次
  // =========================================================================================
  const onRoundsPage = () => /^\/ui\/rounds(\/|$)/.test(location.pathname);

  async function pageRounds(ctx, id) {
    const { h, show } = ctx;
    if (!id) {
      try { rd.rounds = null; await loadRounds(ctx, rd); } catch (e) { if (!ctx.signedIn()) return; return show(h("h1", {}, t("title.rounds")), ctx.errorBox(e)); }
      if (!onRoundsPage()) return;
      return show(h("h1", {}, t("title.rounds")), h("p", { class: "muted" }, t("rv.roundsIntro")),
        h("p", {}, h("a", { href: "/ui/evaluation", id: "to-evaluation" }, t("rv.toEvaluation"))),
        rd.rounds.length ? h("section", { class: "card" }, table(h, "rounds", t("title.rounds"), [[t("rv.round")], [t("rv.kind")], [t("rv.year"), 1], [t("rv.items"), 1]],
          rd.rounds.map((r) => h("tr", { "data-id": r.id }, h("td", {}, h("a", { href: "/ui/rounds/" + encodeURIComponent(r.id) }, `${r.name}（${r.id}）`)),
            h("td", {}, label("rkind", r.kind)), h("td", { class: "num" }, String(r.year || "")), h("td", { class: "num" }, String(r.n_items))))))
          : h("p", { class: "muted" }, t("rv.noRounds")));
    }
    if (id !== rd.id || !rd.round) {
      try {
        rd.round = await ctx.api("/v1/rounds/" + encodeURIComponent(id));
        rd.audits = await ctx.api("/v1/audits/" + encodeURIComponent(id));
        Object.assign(rd, { id, result: null, error: null, k: "", L: "" });
      } catch (e) {
        if (!ctx.signedIn() || !onRoundsPage()) return;
        if (e instanceof ctx.ApiError && e.status === 404) return show(h("h1", {}, t("title.rounds")), h("div", { class: "error", role: "alert" }, t("rv.roundNotFound", { id })));
        return show(h("h1", {}, t("title.rounds")), ctx.errorBox(e));
      }
      if (!onRoundsPage()) return;
    }
    const r = rd.round;
    const solver = h("select", { id: "rd-solver" }, SOLVERS.map((s) => h("option", { value: s, selected: s === rd.solver }, t("rv.solver." + s))));
    const k = h("input", { id: "rd-k", type: "number", min: "1", max: "50", value: rd.k, placeholder: String(r.reviewers_per_item) });
    const L = h("input", { id: "rd-l", type: "number", min: "1", max: "1000", value: rd.L, placeholder: String(r.max_items_per_reviewer) });
    const err = h("div", { id: "rd-form-error" });
    const field = (fid, text, control, hint) => h("label", { class: "field", for: fid }, h("span", {}, text), control, hint ? h("small", { class: "muted" }, hint) : null);
    const form = h("form", { class: "card", id: "rd-form", novalidate: true, "aria-labelledby": "rd-form-h", onsubmit: async (e) => {
      e.preventDefault();
      rd.solver = solver.value; rd.k = k.value.trim(); rd.L = L.value.trim();
      const bad = (v, max) => v && !(parseInt(v, 10) >= 1 && parseInt(v, 10) <= max);
      if (bad(rd.k, 50) || bad(rd.L, 1000)) { while (err.firstChild) err.removeChild(err.firstChild); err.appendChild(h("div", { class: "error", role: "alert" }, t("rv.badKL"))); return (bad(rd.k, 50) ? k : L).focus(); }
      await assignRound(ctx);
    } },
      h("h2", { id: "rd-form-h", class: "form-h" }, t("rv.assignHeading")),
      h("div", { class: "form-grid" }, field("rd-solver", t("rv.solver"), solver, t("rv.solverHint")), field("rd-k", t("rv.k"), k), field("rd-l", t("rv.L"), L)),
      err,
      h("div", { class: "actions" }, h("button", { type: "submit", id: "rd-submit", disabled: rd.busy || !r.items.length }, rd.busy ? t("rv.assigning") : t("rv.assign"))));
    const info = h("section", { class: "card", "aria-labelledby": "rd-h", "data-round-id": r.id },
      h("h2", { id: "rd-h" }, r.name),
      h("p", { class: "muted" }, t("rv.roundMeta", { id: r.id, kind: label("rkind", r.kind), year: r.year || "—", k: r.reviewers_per_item, L: r.max_items_per_reviewer, n: r.items.length })),
      h("p", { class: "muted", "data-testid": "policy" }, policyLine(r)),
      table(h, "rd-items", t("rv.items"), [[t("rv.item")], [t("rv.kind")], [t("rv.applicants")], [t("rv.orgs")]],
        r.items.map((i) => h("tr", { "data-id": i.id },
          h("td", {}, h("a", { href: evalUrl(r.id, i.id), title: t("rv.openPanel") }, `${i.id} ${i.title}`)), h("td", {}, label("ikind", i.kind)),
          h("td", {}, i.applicants.map(pairName).join(joiner())), h("td", {}, i.organizations.map(pairName).join(joiner()))))));
    const result = h("div", { id: "rd-result", "aria-busy": rd.busy ? "true" : "false" });
    show(h("p", {}, h("a", { href: "/ui/rounds" }, "← " + t("rv.allRounds"))), h("h1", {}, t("title.rounds")), info, form, result, auditsSection(ctx));
    renderRound(ctx, result);
  }

  async function assignRound(ctx) {
    rd.busy = true; rd.error = null;
    if (onRoundsPage()) await pageRounds(ctx, rd.id);
    ctx.announce(t("rv.assigning"));
    try {
      const body = { solver: rd.solver, save: true };
      if (rd.k) body.k = parseInt(rd.k, 10);
      if (rd.L) body.max_load = parseInt(rd.L, 10);
      rd.result = await ctx.api(`/v1/rounds/${encodeURIComponent(rd.id)}/assign`, { body });
      rd.audits = await ctx.api("/v1/audits/" + encodeURIComponent(rd.id));
      ctx.announce(t("rv.assigned", { n: Object.keys(rd.result.proposal.assignment).length }));
    } catch (e) {
      if (!ctx.signedIn()) return;
      rd.error = e; rd.result = null; ctx.announce(t("rv.failed"));
    } finally { rd.busy = false; }
    if (onRoundsPage()) await pageRounds(ctx, rd.id);
    const x = document.getElementById("rd-result-h"); if (x) x.focus();
  }

  function renderRound(ctx, box) {
    const { h } = ctx;
    if (rd.error) box.appendChild(problemBox(ctx, rd.error));
    const titles = Object.fromEntries(rd.round.items.map((i) => [i.id, i.title]));
    const itemName = (id) => `${id} ${titles[id] || ""}`;
    if (!rd.result) {   // the stored assignment, if any
      const stored = rd.round.assignment || {};
      if (!Object.keys(stored).length) { if (!rd.busy && !rd.error) box.appendChild(h("p", { class: "muted empty" }, t("rv.roundEmpty"))); return; }
      box.appendChild(h("section", { class: "card", "aria-labelledby": "rd-stored-h" }, h("h2", { id: "rd-stored-h" }, t("rv.stored")),
        h("p", { class: "muted" }, t("rv.storedMeta", { solver: rd.round.props.assignment_solver || "—", at: String(rd.round.props.assigned_at || "").slice(0, 16).replace("T", " "),
          total: num(rd.round.props.assignment_total), min: num(rd.round.props.assignment_min_item) })),
        table(h, "rd-stored", t("rv.stored"), [[t("rv.item")], [t("rv.reviewers")]],
          Object.entries(stored).map(([item, revs]) => h("tr", { "data-item": item }, h("td", {}, itemName(item)),
            h("td", {}, revs.map((x) => `${x.name} ${num(x.relevance)}`).join(joiner())))))));
      return;
    }
    const p = rd.result.proposal, items = Object.keys(p.assignment);
    const worst = items.filter((i) => Math.abs((p.item_relevance[i] || 0) - p.min_item_relevance) < 1e-9);
    const byReviewer = {};
    items.forEach((i) => p.assignment[i].forEach((x) => { (byReviewer[x.id] = byReviewer[x.id] || { name: x.name, items: [], inst: x.institution }).items.push(i); }));
    Object.values(p.assignment).flat().forEach((x) => window.MSG.register(x.id, x.name));
    const b = p.baseline || {};
    const head = h("section", { class: "card", "aria-labelledby": "rd-result-h", "data-assignment-id": rd.result.saved_as || "" },
      h("div", { class: "result-head" }, h("h2", { id: "rd-result-h", tabindex: "-1" }, t("rv.assignment", { solver: t("rv.solver." + p.solver) })),
        p.feasible ? h("span", { class: "badge ok" }, t("f.allHold")) : h("span", { class: "badge bad" }, t("f.someFail"))),
      h("p", { class: "muted" }, t("rv.assignMeta", { id: rd.result.saved_as || "—", k: p.k, L: p.max_load, n: p.considered.length,
        opt: p.optimal ? t("rv.proven") : t("rv.notProven"), s: p.seconds })),
      h("div", { class: "summary" },
        h("div", { class: "stat" }, t("rv.total"), h("b", { "data-testid": "total-relevance" }, num(p.total_relevance))),
        h("div", { class: "stat" }, t("rv.minItem"), h("b", { "data-testid": "min-item-relevance" }, num(p.min_item_relevance))),
        b.solver ? h("div", { class: "stat" }, t("rv.baseline"), h("b", { "data-testid": "baseline" }, `${num(b.total_relevance)} / ${num(b.min_item_relevance)}`)) : null,
        h("div", { class: "stat" }, t("rv.excludedPairs"), h("b", { "data-testid": "excluded-pairs" }, String(p.excluded.length)))));
    const perItem = h("section", { class: "card", "aria-labelledby": "rd-items-h" }, h("h2", { id: "rd-items-h" }, t("rv.perItem")),
      table(h, "rd-assignment", t("rv.perItem"), [[t("rv.item")], [t("rv.reviewers")], [t("rv.meanRel"), 1]],
        items.map((i) => h("tr", { "data-testid": "rd-item", "data-item": i, class: worst.includes(i) ? "worst" : null },
          h("td", {}, h("a", { href: evalUrl(rd.id, i) }, itemName(i)), worst.includes(i) ? h("span", { class: "badge warn" }, " " + t("rv.worst")) : null),
          h("td", {}, h("ul", { class: "reasons" }, p.assignment[i].map((x) => h("li", { "data-id": x.id },
            h("a", { href: "/ui/experts/" + encodeURIComponent(x.id) }, x.name), ` ${num(x.relevance)}`, x.institution ? h("span", { class: "muted" }, "（" + x.institution + "）") : null,
            (x.disclosed || []).length ? h("span", { class: "muted" }, " · " + t("rv.disclosed") + "：" + sentences(x, "disclosed").join("；")) : null)))),
          h("td", { class: "num" }, num(p.item_relevance[i]))))));
    const perReviewer = h("section", { class: "card", "aria-labelledby": "rd-load-h" }, h("h2", { id: "rd-load-h" }, t("rv.perReviewer", { n: Object.keys(byReviewer).length })),
      table(h, "rd-load", t("rv.perReviewer", { n: Object.keys(byReviewer).length }), [[t("f.expert")], [t("rv.load"), 1], [t("rv.items")]],
        Object.entries(byReviewer).sort((a, c) => c[1].items.length - a[1].items.length || a[1].name.localeCompare(c[1].name))
          .map(([id, x]) => h("tr", { "data-testid": "rd-reviewer", "data-id": id, "data-load": String(x.items.length) },
            h("td", {}, h("a", { href: "/ui/experts/" + encodeURIComponent(id) }, x.name)), h("td", { class: "num" }, `${x.items.length} / ${p.max_load}`),
            h("td", {}, x.items.join(joiner()))))));
    const excluded = h("section", { class: "card", "aria-labelledby": "rd-excluded-h" }, h("h2", { id: "rd-excluded-h" }, t("rv.excludedHeading", { n: p.excluded.length })),
      h("p", { class: "muted" }, t("rv.excludedIntroRound")),
      p.excluded.length ? table(h, "rd-excluded", t("rv.excludedHeading", { n: p.excluded.length }), [[t("rv.item")], [t("f.expert")], [t("f.relevance"), 1], [t("rv.evidenceOfConflict")]],
        p.excluded.map((e) => h("tr", { "data-testid": "rd-excluded", "data-item": e.item, "data-id": e.id },
          h("td", {}, e.item), h("td", {}, e.name), h("td", { class: "num" }, num(e.relevance)), h("td", {}, reasonList(h, e, "reasons"))))) : h("p", { class: "muted" }, t("f.noExcluded")));
    const checks = h("section", { class: "card", "aria-labelledby": "rd-checks-h" }, h("h2", { id: "rd-checks-h" }, t("f.checks")), checksTable(ctx, "rd-checks", p.checks));
    [head, perItem, perReviewer, excluded, checks].forEach((x) => box.appendChild(x));
  }

  function auditsSection(ctx) {
    const { h } = ctx;
    const list = rd.audits || [];
    return h("section", { class: "card", "aria-labelledby": "rd-audit-h" }, h("h2", { id: "rd-audit-h" }, t("rv.audits", { n: list.length })),
      h("p", { class: "muted" }, t("rv.auditIntro")),
      list.length ? table(h, "rd-audits", t("rv.audits", { n: list.length }), [[t("f.date")], [t("rv.auditId")], [t("rv.solver")], [t("rv.considered"), 1], [t("rv.excludedPairs"), 1], [t("rv.total"), 1], [t("rv.minItem"), 1]],
        list.map((a) => { const x = a.props || {}, pr = x.params || {};
          return h("tr", { "data-testid": "rd-audit", "data-id": a.id },
            h("td", {}, String(a.created_at || "").slice(0, 19).replace("T", " ")), h("td", {}, a.id), h("td", {}, t("rv.solver." + x.solver)),
            h("td", { class: "num" }, String((x.considered || []).length)), h("td", { class: "num" }, String((x.excluded || []).length)),
            h("td", { class: "num" }, num(pr.total_relevance)), h("td", { class: "num" }, num(pr.min_item_relevance))); }))
        : h("p", { class: "muted" }, t("rv.noAudits")));
  }

  window.KexieReview = { pageEvaluation, pageRounds };
})();
