/* The staff's formation pages: 专家服务队 (a demand → a proposed expert service team) and
   智库专家组 (a government topic → a think-tank panel under quotas).
   Each page keeps its form and last answer in memory, so a language switch re-renders in place.
   app.js calls KexieFormation.pageTeam(ctx, id) / pagePanel(ctx, id) with its helpers (h, api, …).
   A proposal, once saved, has its own URL (/ui/team/<id>, /ui/panel/<id>): opening it (a reload,
   a colleague's link, the case list) reads the saved formation with its proposal back. */
"use strict";
(function () {
  const { t, label } = window.I18N;
  const zh = () => window.I18N.getLang() === "zh";
  const SOLVERS = ["auto", "exact", "greedy", "rarest_first", "top_k"];
  const QUOTAS = ["senior", "young", "enterprise", "academic", "disciplines", "per_institution"];
  const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$/;

  const team = {
    form: { title: "", text: "", enterprise: "", enterpriseName: "", skills: [], kMin: 2, kMax: 4, minSenior: 1, maxPerInst: "2", poolSize: 30, solver: "auto", locality: false },
    created: null,      // {request_id, formation_id, proposal}
    status: null,       // proposed | confirmed
    locked: [], excluded: [],
    solvedWith: null,   // the staff's locks and exclusions of the shown proposal
    superseded: [],     // earlier team ids of this demand, declined when replaced
    swap: null,         // {member, options, error, busy}
    feedback: {},       // member id -> {accepted, rating, comment, saved}
    problem: null, error: null, fieldError: null, busy: false, notice: null,
  };
  const panel = {
    form: { title: "", text: "", issuer: "", size: 5, quotas: {}, youngAgeMax: 45, lotteryQ: "", seed: "", relax: false },
    created: null, status: null, problem: null, error: null, busy: false, notice: null,
  };

  // ---------- shared pieces -------------------------------------------------------------------
  /* Server reasons are English sentences; the common exclusion reasons get a translation. */
  function reason(text) {
    const s = String(text || "");
    if (zh()) {
      let m;
      if ((m = s.match(/^conflict of interest with (.+)$/))) return t("why.coi", { x: m[1] });
      if (s === "excluded by staff") return t("why.staff");
      if ((m = s.match(/^declined this demand before(?: \(team (.+)\))?$/))) return t("why.declined", { x: m[1] || "" });
      if ((m = s.match(/^already on (\d+) active teams \(limit (\d+)\)$/))) return t("why.load", { a: m[1], m: m[2] });
      if ((m = s.match(/^availability (\w+)$/))) return t("why.avail", { x: label("avail", m[1]) });
      if (s === "excluded by the request (conflict of interest)") return t("why.coiRequest");
    }
    return s;
  }
  window.MSG.setReasonText(reason);
  function checkMark(c, h) {
    return h("span", { class: "mark " + (c.holds ? "ok" : "bad"), "aria-label": c.holds ? t("f.holds") : t("f.fails") }, c.holds ? "✓" : "✗");
  }
  function checkName(name) {
    const k = "check." + name.replace("quota:", "quota.").replace("kind:", "kind.").replace("/", "_");
    return window.I18N.STRINGS[window.I18N.getLang()][k] !== undefined ? t(k) : name;
  }
  function checksTable(ctx, id, checks) {
    const { h } = ctx;
    return h("table", { id }, h("caption", { class: "sr-only" }, t("f.checks")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("f.constraint")), h("th", { scope: "col" }, t("f.holdsCol")), h("th", { scope: "col" }, t("f.detail")))),
      h("tbody", {}, checks.map((c) => h("tr", { "data-check": c.name, "data-holds": String(c.holds) },
        h("td", {}, checkName(c.name)), h("td", {}, checkMark(c, h)), h("td", { class: "muted" }, window.MSG.field(c, "detail"))))));
  }
  function excludedTable(ctx, rows) {
    const { h } = ctx;
    if (!rows.length) return h("p", { class: "muted" }, t("f.noExcluded"));
    return h("table", { id: "excluded" }, h("caption", { class: "sr-only" }, t("f.excluded")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("f.expert")), h("th", { scope: "col", class: "num" }, t("f.relevance")), h("th", { scope: "col" }, t("f.reasons")))),
      h("tbody", {}, rows.map((e) => h("tr", { "data-id": e.id },
        h("td", {}, h("a", { href: "/ui/experts/" + encodeURIComponent(e.id) }, e.name)),
        h("td", { class: "num" }, e.score.toFixed(3)),
        h("td", {}, h("ul", { class: "reasons" }, e.reasons.map((r, i) => h("li", {}, e.reasons_codes && e.reasons_codes[i] ? window.MSG.field(e, "reasons", i) : reason(r)))))))));
  }
  function infeasibleBox(ctx, err, kind) {
    const { h } = ctx;
    if (err.type !== "/problems/infeasible") return ctx.errorBox(err);
    const body = err.body || {};
    return h("div", { class: "error infeasible", role: "alert", "data-testid": "infeasible" },
      h("h2", {}, t(kind === "team" ? "f.infeasibleTeam" : "f.infeasiblePanel")),
      h("p", {}, t("f.infeasibleWhy")),
      h("ul", { class: "infeasible-reasons" }, (body.reasons ? window.MSG.fieldList(body, "reasons") : [err.detail]).map((r) => h("li", {}, reason(r)))),
      body.advice ? h("p", { class: "advice" }, h("b", {}, t("f.advice") + "："), (body.advice_codes ? window.MSG.fieldList({ advice: body.advice_codes.map(() => ""), advice_codes: body.advice_codes }, "advice") : [body.advice]).join(zh() ? "；" : "; ")) : null);
  }
  function svgGraph(ctx, testid, desc) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("role", "img"); svg.setAttribute("data-testid", testid); svg.setAttribute("aria-label", desc);
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = desc; svg.appendChild(title);
    return svg;
  }
  function legend(ctx, types) {
    const { h } = ctx;
    return h("div", { class: "legend" }, types.map(([k, text, line]) => {
      const i = h("i", { class: line ? "line" : null }); i.style.background = window.KexieGraph.COLORS[k] || k; return h("span", {}, i, text);
    }));
  }
  /* Display name of an id or code from the proposal's labels (English in English mode where known). */
  function nameOf(labels, key, fallback) {
    const x = (labels || {})[key];
    if (!x) return fallback === undefined ? key : fallback;
    return !zh() && x.name_en ? x.name_en : x.name;
  }
  /* "quota young lowered from 5 to 4 (by 1)": how far each relaxed quota was loosened. */
  function relaxationLines(p) {
    return (p.relaxations || []).map((r) => t("panel.relaxation", { q: t("quota." + r.quota) || r.quota, from: r.from_count, to: r.to_count, by: Math.abs(r.from_count - r.to_count) }));
  }
  function fmtDate(iso) { return iso ? String(iso).slice(0, 10) : ""; }
  /* Read a saved formation (GET /v1/<plural>/<id>) into what the pages keep of a proposal. */
  async function loadSaved(ctx, plural, id) {
    const rec = await ctx.api(`/v1/${plural}/${encodeURIComponent(id)}`);
    return { request_id: rec.request_id, formation_id: rec.id, proposal: rec.proposal, labels: rec.labels || {}, request: rec.request || {},
             record: rec, created_at: rec.created_at, info: rec.members_info || {} };
  }
  function loadError(ctx, kind, e) {
    const { h } = ctx;
    if (e instanceof ctx.ApiError && e.status === 404) return h("div", { class: "error", role: "alert" }, t("f.notFound." + kind));
    return ctx.errorBox(e);
  }
  /* Excel, print, CSV: the meeting outputs of a saved formation. */
  function outputs(ctx, plural, id, csv) {
    const { h } = ctx;
    return [
      h("button", { type: "button", class: "secondary", "data-action": "export-xlsx", onclick: async (ev) => {
        const b = ev.currentTarget; b.disabled = true;
        try { await ctx.downloadXlsx(plural, id); ctx.announce(t("f.exportedXlsx")); } catch (e) { if (ctx.signedIn()) ctx.announce(ctx.describe(e)); }
        b.disabled = false;
      } }, t("f.exportXlsx")),
      h("button", { type: "button", class: "secondary", "data-action": "print", onclick: () => window.print() }, t("f.print")),
      csv ? h("button", { type: "button", class: "secondary", "data-action": "export-csv", id: csv.id, onclick: csv.onclick }, t("f.export")) : null,
    ];
  }
  /* What a printed sheet starts with: the request, date and status (hidden on screen). */
  function printHead(ctx, kindKey, facts) {
    const { h } = ctx;
    return h("div", { class: "print-only print-head", "data-testid": "print-head" },
      h("p", { class: "print-kind" }, t("app.name") + " · " + t(kindKey)),
      h("dl", { class: "facts-list" }, facts.filter(([, v]) => v).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
  }
  function num(v) { return typeof v === "number" ? (Math.round(v * 1000) / 1000).toString() : String(v); }
  function signed(v) { const x = Math.round(v * 1000) / 1000; return (x > 0 ? "+" : x < 0 ? "−" : "±") + Math.abs(x).toFixed(3); }
  function field(ctx, id, text, control, hint) {
    const { h } = ctx;
    return h("label", { class: "field", for: id }, h("span", {}, text), control, hint ? h("small", { class: "muted" }, hint) : null);
  }
  function intOr(v, dflt) { const n = parseInt(v, 10); return Number.isFinite(n) ? n : dflt; }
  function stamp() { const d = new Date(); return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}`; }

  // =========================================================================================
  // 专家服务队
  // =========================================================================================
  async function pageTeam(ctx, id) {
    const { h, show } = ctx;
    const f = team.form;
    if (id && (!team.created || team.created.formation_id !== id) && !team.busy) {
      show(h("p", { class: "muted" }, t("loading")));
      let saved;
      try { saved = await loadSaved(ctx, "teams", id); }
      catch (e) { if (!ctx.signedIn()) return; return show(h("h1", {}, t("title.team")), loadError(ctx, "team", e)); }
      const r = saved.request, p = saved.proposal;
      Object.assign(f, { title: r.title || "", text: r.text || "", enterprise: r.enterprise_id || "", enterpriseName: r.enterprise_name || "",
                         skills: [...(r.skills && r.skills.length ? r.skills : (p ? p.skills : []))] });
      Object.assign(team, { created: saved, status: saved.record.status, locked: [], excluded: [], superseded: [], swap: null,
                            problem: null, error: null, fieldError: null, notice: null, solvedWith: { locked: [], excluded: [] }, feedback: {} });
      saved.record.members.forEach((m) => { if (m.accepted !== null || m.rating !== null || m.comment) team.feedback[m.id] =
        { accepted: m.accepted === null ? "" : String(m.accepted), rating: m.rating ? String(m.rating) : "", comment: m.comment || "", saved: true, error: null }; });
      if (!onTeamPage()) return;
    }
    const title = h("input", { id: "team-title", type: "text", maxlength: "300", required: true, placeholder: t("team.titlePh") });
    title.value = f.title;
    const text = h("textarea", { id: "team-text", rows: "3", maxlength: "10000", placeholder: t("team.textPh") });
    text.value = f.text;
    const picker = ctx.orgPicker({ id: "team-enterprise", kind: "enterprise", value: f.enterprise ? { id: f.enterprise, name: f.enterpriseName || f.enterprise } : null,
                                   describedBy: "team-enterprise-err", invalid: Boolean(team.fieldError),
                                   onPick: (o) => { f.enterprise = o ? o.id : ""; f.enterpriseName = o ? o.name : ""; } });
    const ent = picker.input;
    const entErr = h("div", { id: "team-enterprise-err", class: "field-error" }, team.fieldError || "");
    // skills: a chip list; Enter or the button adds, × removes
    const chipList = h("ul", { class: "chips edit", id: "skill-chips", "aria-label": t("team.skills") });
    const drawChips = () => {
      while (chipList.firstChild) chipList.removeChild(chipList.firstChild);
      f.skills.forEach((s, i) => chipList.appendChild(h("li", { class: "chip", "data-skill": s }, s,
        h("button", { type: "button", class: "chip-x", "aria-label": t("team.removeSkill", { s }), onclick: () => { f.skills.splice(i, 1); drawChips(); } }, "×"))));
      if (!f.skills.length) chipList.appendChild(h("li", { class: "muted" }, t("team.skillsAuto")));
    };
    drawChips();
    const skillIn = h("input", { id: "skill-input", type: "text", maxlength: "60", placeholder: t("team.skillPh") });
    const addSkill = () => {
      const parts = skillIn.value.split(/[,，、;；]/).map((x) => x.trim()).filter(Boolean);
      parts.forEach((p) => { if (!f.skills.includes(p) && f.skills.length < 20) f.skills.push(p); });
      skillIn.value = ""; drawChips(); skillIn.focus();
    };
    skillIn.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); addSkill(); } });
    const numIn = (id, v, min, max) => h("input", { id, type: "number", min: String(min), max: String(max), value: String(v) });
    const kMin = numIn("team-kmin", f.kMin, 1, 20), kMax = numIn("team-kmax", f.kMax, 1, 20), senior = numIn("team-senior", f.minSenior, 0, 20);
    const mpi = h("input", { id: "team-mpi", type: "number", min: "1", max: "20", value: f.maxPerInst, placeholder: t("team.noCap") });
    const pool = numIn("team-pool", f.poolSize, 5, 100);
    const solver = h("select", { id: "team-solver" }, SOLVERS.map((s) => h("option", { value: s, selected: s === f.solver }, t("solver." + s))));
    const locality = h("input", { id: "team-locality", type: "checkbox", checked: f.locality });
    const err = h("div", { id: "team-form-error" }, team.error && !team.created && !team.problem ? ctx.errorBox(team.error) : null);
    const read = () => {
      f.title = title.value.trim(); f.text = text.value.trim();
      const o = picker.value(); f.enterprise = o ? o.id : ""; f.enterpriseName = o ? o.name : ent.value.trim();
      f.kMin = intOr(kMin.value, 2); f.kMax = intOr(kMax.value, 4); f.minSenior = intOr(senior.value, 1);
      f.maxPerInst = mpi.value.trim(); f.poolSize = intOr(pool.value, 30); f.solver = solver.value; f.locality = locality.checked;
      if (skillIn.value.trim()) addSkill();
    };
    const submit = h("button", { type: "submit", id: "team-submit", disabled: team.busy }, team.busy ? t("team.running") : t("team.submit"));
    const form = h("form", { class: "card", id: "team-form", novalidate: true, "aria-labelledby": "team-form-h", onsubmit: async (ev) => {
      ev.preventDefault(); read();
      const fail = (msg, el) => { team.fieldError = el === ent ? msg : null; while (err.firstChild) err.removeChild(err.firstChild);
        if (el === ent) { entErr.textContent = msg; ent.setAttribute("aria-invalid", "true"); } else err.appendChild(h("div", { class: "error", role: "alert" }, msg));
        el.focus(); };
      entErr.textContent = ""; ent.removeAttribute("aria-invalid"); team.fieldError = null;
      if (!f.title) return fail(t("team.needTitle"), title);
      if (!ID_RE.test(f.enterprise)) return fail(ent.value.trim() ? t("team.pickEnterprise") : t("team.needEnterprise"), ent);
      if (f.kMin < 1 || f.kMax > 20 || f.kMin > f.kMax) return fail(t("team.badK"), kMin);
      if (f.minSenior < 0 || f.minSenior > f.kMax) return fail(t("team.badSenior"), senior);
      if (f.maxPerInst && (intOr(f.maxPerInst, 0) < 1)) return fail(t("team.badCap"), mpi);
      if (f.poolSize < 5 || f.poolSize > 100) return fail(t("team.badPool"), pool);
      team.locked = []; team.excluded = []; team.superseded = []; team.feedback = {};
      await solveTeam(ctx, null);
    } },
      h("h2", { id: "team-form-h", class: "form-h" }, t("team.formHeading")),
      h("div", { class: "form-2" }, field(ctx, "team-title", t("team.title"), title),
        h("div", { class: "field" }, h("label", { for: "team-enterprise" }, h("span", {}, t("team.enterprise"))), picker.el, entErr)),
      field(ctx, "team-text", t("team.text"), text),
      h("div", { class: "field" }, h("label", { for: "skill-input" }, h("span", {}, t("team.skills"))), chipList,
        h("div", { class: "actions" }, skillIn, h("button", { type: "button", class: "secondary", id: "skill-add", onclick: addSkill }, t("team.addSkill")))),
      h("div", { class: "form-grid" }, field(ctx, "team-kmin", t("team.kMin"), kMin), field(ctx, "team-kmax", t("team.kMax"), kMax),
        field(ctx, "team-senior", t("team.minSenior"), senior), field(ctx, "team-mpi", t("team.maxPerInst"), mpi), field(ctx, "team-pool", t("team.poolSize"), pool), field(ctx, "team-solver", t("team.solver"), solver)),
      h("label", { class: "check", for: "team-locality" }, locality, " ", t("team.locality")),
      err,
      h("div", { class: "actions" }, submit));
    const result = h("div", { id: "team-result", "aria-busy": team.busy ? "true" : "false" });
    show(h("h1", {}, t("title.team")), h("p", { class: "muted" }, t("team.intro")), form, result);
    renderTeamResult(ctx, result);
  }

  function onTeamPage() { return /^\/ui\/team(\/|$)/.test(location.pathname); }
  function onPanelPage() { return /^\/ui\/panel(\/|$)/.test(location.pathname); }

  function teamBody(f, extra) {
    const cap = f.maxPerInst ? intOr(f.maxPerInst, 2) : null;
    return { title: f.title, text: f.text, enterprise_id: f.enterprise, skills: f.skills,
             team: Object.assign({ k_min: f.kMin, k_max: f.kMax, skills: f.skills, solver: f.solver, min_senior: f.minSenior,
                                   max_per_institution: cap, use_locality: f.locality, pool_size: f.poolSize, locked: team.locked, excluded: team.excluded }, extra || {}) };
  }

  /* Create the demand (first time) or re-solve its team with the current locks and exclusions
     (extra: option overrides, e.g. a swap's fixed members). A replaced proposal is declined, so
     its members' load is freed; it stays on record. */
  async function solveTeam(ctx, extra, notice) {
    const old = team.created;
    team.busy = true; team.error = null; team.problem = null; team.swap = null; team.notice = null;
    if (onTeamPage()) await pageTeam(ctx);
    ctx.announce(t("team.running"));
    try {
      const body = teamBody(team.form, extra);
      const res = old ? await ctx.api(`/v1/demands/${encodeURIComponent(old.request_id)}/teams`, { body })
                      : await ctx.api("/v1/demands", { body });
      if (old && team.status === "proposed") {
        try { await ctx.api(`/v1/teams/${encodeURIComponent(old.formation_id)}/decline`, { method: "POST" }); team.superseded.push(old.formation_id); }
        catch (e) { /* the old proposal stays proposed; nothing else depends on it */ }
      }
      team.created = Object.assign({}, res, { created_at: new Date().toISOString(), request: { title: team.form.title, enterprise_name: team.form.enterpriseName } });
      team.status = "proposed"; team.feedback = {};
      ctx.setUrl("/ui/team/" + encodeURIComponent(res.formation_id));
      team.solvedWith = { locked: [...team.locked], excluded: [...team.excluded] };
      team.notice = notice || null;
      ctx.announce(t("team.done", { n: res.proposal.members.length }));
    } catch (e) {
      if (!ctx.signedIn()) return;
      if (e instanceof ctx.ApiError && e.status === 422 && (e.errors || []).some((x) => x.field === "enterprise")) {
        team.fieldError = t("team.unknownEnterprise", { id: team.form.enterpriseName || team.form.enterprise });
      } else if (e instanceof ctx.ApiError && e.type === "/problems/infeasible") {
        team.problem = e;
      } else team.error = e;
      ctx.announce(t("team.failed"));
    } finally {
      team.busy = false;
    }
    if (onTeamPage()) await pageTeam(ctx);
    const r = document.getElementById(team.fieldError ? "team-enterprise" : "team-result");
    if (r && team.fieldError) r.focus();
  }

  function renderTeamResult(ctx, box) {
    const { h } = ctx;
    if (team.problem) {
      box.appendChild(infeasibleBox(ctx, team.problem, "team"));
      if (team.created) box.appendChild(h("p", { class: "muted" }, t("team.keptPrevious", { id: team.created.formation_id })));
      else return;
    }
    if (team.error && team.created) box.appendChild(ctx.errorBox(team.error));
    if (!team.created) { if (!team.busy) box.appendChild(h("p", { class: "muted empty" }, t("team.empty"))); return; }
    if (!team.created.proposal) return box.appendChild(savedOnly(ctx, "team", team.created, team.status));
    const res = team.created, p = res.proposal, L = window.MSG.registerAll(res.labels || {}), frozen = team.status !== "proposed" || team.busy;
    const byId = Object.fromEntries(p.members.map((m) => [m.id, m]));
    const sw0 = team.solvedWith || { locked: [], excluded: [] };
    const pending = JSON.stringify([[...team.locked].sort(), [...team.excluded].sort()]) !==
                    JSON.stringify([[...sw0.locked].sort(), [...sw0.excluded].sort()]);
    const o = p.objective;

    // header: id, status, actions
    const entName = nameOf(L, p.enterprise, (res.request || {}).enterprise_name || team.form.enterpriseName || "");
    const head = h("section", { class: "card team-head", "aria-labelledby": "team-h", "data-formation-id": res.formation_id, "data-request-id": res.request_id },
      printHead(ctx, "title.team", [[t("team.title"), p.demand_title], [t("team.enterprise"), entName], [t("f.date"), fmtDate(res.created_at)], [t("f.status"), t("status." + team.status)]]),
      h("div", { class: "result-head" },
        h("h2", { id: "team-h" }, t("team.proposal", { title: p.demand_title })),
        h("span", { class: "badge " + (team.status === "confirmed" ? "ok" : ""), "data-testid": "team-status" }, t("status." + team.status)),
        p.feasible ? h("span", { class: "badge ok" }, t("f.allHold")) : h("span", { class: "badge bad" }, t("f.someFail"))),
      h("p", { class: "muted" }, t("team.meta", { date: fmtDate(res.created_at), ent: entName, solver: t("solver." + p.solver),
        opt: p.optimal ? t("team.optimal") : t("team.heuristic"), s: p.seconds })),
      team.superseded.length ? h("p", { class: "muted", "data-testid": "superseded" }, t("team.superseded", { n: team.superseded.length })) : null,
      team.notice ? h("p", { class: "notice", role: "status" }, team.notice) : null,
      h("div", { class: "summary" },
        h("div", { class: "stat" }, t("obj.objective"), h("b", { "data-testid": "objective" }, num(o.objective))),
        h("div", { class: "stat" }, t("obj.coverage"), h("b", {}, ctx.pct(o.coverage))),
        h("div", { class: "stat" }, t("obj.relevance_mean"), h("b", {}, num(o.relevance_mean))),
        h("div", { class: "stat" }, t("obj.comm_cost_mean"), h("b", {}, num(o.comm_cost_mean)))),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "team-confirm", disabled: frozen, onclick: () => confirmTeam(ctx) }, team.status === "confirmed" ? t("team.confirmed") : t("team.confirm")),
        outputs(ctx, "teams", res.formation_id, { id: "team-export", onclick: () => exportTeam(ctx) }),
        h("button", { type: "button", class: "secondary", id: "team-resolve", disabled: frozen || !pending, onclick: () => solveTeam(ctx, null, t("team.resolved")) },
          t("team.resolve", { l: team.locked.length, x: team.excluded.length }))),
      pending && !frozen ? h("p", { class: "muted" }, t("team.pending")) : null);

    // members
    const members = h("section", { class: "card", "aria-labelledby": "members-h" }, h("h2", { id: "members-h" }, t("team.members", { n: p.members.length })),
      h("ol", { class: "members" }, p.members.map((m) => memberCard(ctx, m, frozen, L))));

    // skills coverage
    const skills = h("section", { class: "card", "aria-labelledby": "skills-h" }, h("h2", { id: "skills-h" }, t("team.coverage")),
      h("table", { id: "skills" }, h("caption", { class: "sr-only" }, t("team.coverage")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("team.skill")), h("th", { scope: "col" }, t("f.holdsCol")), h("th", { scope: "col" }, t("team.assigned")), h("th", { scope: "col" }, t("team.alsoBy")))),
        h("tbody", {}, p.skills.map((s) => {
          const who = p.skills_covered[s], also = p.members.filter((m) => m.skills.includes(s) && m.id !== who);
          return h("tr", { "data-skill": s }, h("td", {}, s), h("td", {}, checkMark({ holds: Boolean(who) }, h)),
            h("td", {}, who ? (byId[who] ? byId[who].name : who) : t("team.uncovered")), h("td", { class: "muted" }, also.map((m) => m.name).join("、")));
        }))),
      Object.keys(p.skills_dropped || {}).length
        ? h("p", { id: "skills-dropped", class: "muted" }, t("team.dropped", { s: Object.keys(p.skills_dropped).join(zh() ? "、" : ", ") }))
        : null);

    const checks = h("section", { class: "card", "aria-labelledby": "checks-h" }, h("h2", { id: "checks-h" }, t("f.checks")), checksTable(ctx, "checks", p.checks));
    const objRows = [["objective", o.objective], ["relevance_sum", o.relevance_sum, o.w_relevance], ["comm_cost_sum", o.comm_cost_sum, -o.w_communication],
                     ["locality_sum", o.locality_sum, o.w_locality], ["relevance_mean", o.relevance_mean], ["comm_cost_mean", o.comm_cost_mean], ["coverage", o.coverage]];
    const objective = h("section", { class: "card", "aria-labelledby": "obj-h" }, h("h2", { id: "obj-h" }, t("team.objective")),
      h("p", { class: "muted" }, t("obj.formula", { wr: num(o.w_relevance), wc: num(o.w_communication), wl: num(o.w_locality) })),
      h("table", { id: "objective" }, h("caption", { class: "sr-only" }, t("team.objective")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("obj.part")), h("th", { scope: "col", class: "num" }, t("obj.value")), h("th", { scope: "col", class: "num" }, t("obj.weight")))),
        h("tbody", {}, objRows.map(([k, v, w]) => h("tr", { "data-part": k }, h("td", {}, t("obj." + k)), h("td", { class: "num" }, num(v)), h("td", { class: "num" }, w === undefined ? "" : num(w)))))));

    // ties and the graph
    const tieText = (x) => [x.coauthored ? t("tie.coauthored", { n: x.coauthored }) : "", x.served_together ? t("tie.served", { n: x.served_together }) : "",
      x.shared_societies ? t("tie.societies", { n: x.shared_societies }) : "", x.same_institution ? t("tie.sameInst") : ""].filter(Boolean).join(zh() ? "，" : ", ");
    const ties = h("section", { class: "card", "aria-labelledby": "ties-h" }, h("h2", { id: "ties-h" }, t("team.ties")),
      p.ties.length ? h("ul", { class: "ties" }, p.ties.map((x) => h("li", { "data-testid": "tie" },
        h("b", {}, `${(byId[x.a] || {}).name || x.a} — ${(byId[x.b] || {}).name || x.b}`), "：", tieText(x), " ",
        h("span", { class: "muted" }, t("tie.cost", { c: num(x.comm_cost) })),
        Object.entries(x.examples || {}).length ? h("ul", { class: "reasons" }, Object.entries(x.examples).map(([k, v]) => h("li", {}, t("tie.ex." + k) + "：" + v.join("；")))) : null)))
        : h("p", { class: "muted" }, t("team.noTies")));
    const svg = svgGraph(ctx, "team-graph", t("team.graphDesc", { n: p.members.length, t: p.ties.length }));
    const graph = h("section", { class: "card graph-wrap", "aria-labelledby": "tgraph-h" }, h("h2", { id: "tgraph-h" }, t("team.graph")), svg,
      legend(ctx, [["request", t("legend.demand")], ["member", t("legend.member")], ["institution", t("legend.org")], ["var(--c-scientist)", t("legend.tie"), true]]));
    const excluded = h("section", { class: "card no-print", "aria-labelledby": "excl-h" }, h("h2", { id: "excl-h" }, t("f.excluded") + `（${p.excluded.length}）`), excludedTable(ctx, p.excluded));

    box.append(head, members, h("div", { class: "two" }, skills, checks), h("div", { class: "two" }, objective, ties), graph, excluded);
    const { nodes, edges } = teamGraph(p, tieText);
    window.KexieGraph.draw(svg, nodes, edges, { width: 900, height: 480 });
  }

  /* Starting angles: members spread round the centre (at least 120° apart, so a tie between two
     members does not run through the centre), every satellite beside its members. */
  function memberAngles(n) { const step = (2 * Math.PI) / Math.max(n, 3), a0 = -Math.PI / 2 - (step * (n - 1)) / 2; return (j) => a0 + j * step; }
  function meanAngle(as) { return Math.atan2(as.reduce((s, a) => s + Math.sin(a), 0), as.reduce((s, a) => s + Math.cos(a), 0)); }
  function short(s, n) { s = String(s || ""); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function satellites(nodes, edges, members, angleOf, sats) {
    const at = new Map();
    members.forEach((m, j) => sats(m).forEach((x) => { if (!at.has(x.id)) at.set(x.id, { node: x, angles: [] }); at.get(x.id).angles.push(angleOf(j)); edges.push(x.edge(m)); }));
    let k = 0;
    at.forEach(({ node, angles }) => { nodes.push(Object.assign(node, { angle: meanAngle(angles) + (k++ % 2 ? 0.18 : -0.18), ring: node.ring || 1 })); });
  }
  function teamGraph(p, tieText) {
    const nodes = [{ id: "d:" + p.demand_id, label: short(p.demand_title, 14), type: "request", title: p.demand_title }];
    const edges = [], angleOf = memberAngles(p.members.length);
    p.members.forEach((m, j) => {
      nodes.push({ id: "s:" + m.id, label: m.name, type: "member", href: "/ui/experts/" + encodeURIComponent(m.id), angle: angleOf(j), ring: 0.55,
                   title: `${m.name} ${m.id} · ${m.institution || ""} · ${m.skills.join("、")}` });
      edges.push({ source: nodes[0].id, target: "s:" + m.id, dashed: true, kind: "covers", title: m.skills.join("、") });
    });
    satellites(nodes, edges, p.members, angleOf, (m) => (m.institution ? [{
      id: "o:" + (m.institution_id || m.institution), label: short(m.institution, 10), type: "institution", title: m.institution,
      edge: (mm) => ({ source: "s:" + mm.id, target: "o:" + (m.institution_id || m.institution), kind: "works" }) }] : []));
    p.ties.forEach((x) => edges.push({ source: "s:" + x.a, target: "s:" + x.b, kind: "tie", title: tieText(x), label: tieText(x) }));
    return { nodes, edges };
  }

  function memberCard(ctx, m, frozen, L) {
    const { h } = ctx;
    const info = (team.created.info || {})[m.id] || {};
    const locked = team.locked.includes(m.id), excl = team.excluded.includes(m.id);
    const fb = team.feedback[m.id] || (team.feedback[m.id] = { accepted: "", rating: "", comment: "", saved: false, error: null });
    const facts = [nameOf(L, m.institution_id, m.institution), m.title, m.grade ? label("grade", m.grade) : "", m.district ? ctx.districtName(m.district) : "",
                   info.email, info.phone].filter(Boolean).join(" · ");
    const toggle = (list, id) => { const i = list.indexOf(id); if (i >= 0) list.splice(i, 1); else list.push(id); };
    const rerender = () => pageTeam(ctx);
    const sw = team.swap && team.swap.member === m.id ? team.swap : null;
    const accepted = h("select", { id: `fb-acc-${m.id}`, "aria-label": t("fb.accepted") + " · " + m.name },
      ["", "true", "false"].map((v) => h("option", { value: v, selected: fb.accepted === v }, t("fb.acc." + (v || "unknown")))));
    const rating = h("select", { id: `fb-rating-${m.id}`, "aria-label": t("fb.rating") + " · " + m.name },
      ["", "1", "2", "3", "4", "5"].map((v) => h("option", { value: v, selected: fb.rating === v }, v ? "★".repeat(+v) + ` ${v}` : t("fb.noRating"))));
    const comment = h("input", { id: `fb-comment-${m.id}`, type: "text", maxlength: "2000", placeholder: t("fb.comment"), "aria-label": t("fb.comment") + " · " + m.name });
    comment.value = fb.comment;
    const fbStatus = h("span", { class: "fb-status", role: "status", "data-testid": "fb-status" }, fb.saved ? t("fb.saved") : "");
    const fbForm = h("form", { class: "feedback", "aria-label": t("fb.heading", { name: m.name }), onsubmit: async (ev) => {
      ev.preventDefault();
      fb.accepted = accepted.value; fb.rating = rating.value; fb.comment = comment.value.trim(); fb.saved = false;
      if (!fb.accepted && !fb.rating && !fb.comment) { fbStatus.textContent = t("fb.empty"); return; }
      const body = { member: m.id, accepted: fb.accepted === "" ? null : fb.accepted === "true", rating: fb.rating ? +fb.rating : null, comment: fb.comment || null };
      try {
        await ctx.api(`/v1/teams/${encodeURIComponent(team.created.formation_id)}/feedback`, { body });
        fb.saved = true; fbStatus.textContent = t("fb.saved"); ctx.announce(t("fb.saved"));
      } catch (e) { if (!ctx.signedIn()) return; fbStatus.textContent = ctx.describe(e); }
    } }, h("span", { class: "fb-h" }, t("fb.short")), accepted, rating, comment, h("button", { type: "submit", class: "secondary small" }, t("fb.save")), fbStatus);

    return h("li", { class: "card member", "data-testid": "member", "data-id": m.id },
      h("div", { class: "result-head" },
        h("a", { class: "name", href: "/ui/experts/" + encodeURIComponent(m.id) }, nameOf(L, m.id, m.name)),
        m.role === "lead" ? h("span", { class: "badge ok" }, t("team.lead")) : null,
        m.senior ? h("span", { class: "badge" }, t("team.senior")) : null,
        locked ? h("span", { class: "badge lock", "data-testid": "locked" }, "🔒 " + t("team.locked")) : null,
        h("span", { class: "relevance" }, ctx.bar(m.relevance), " ", h("span", { class: "score" }, m.relevance.toFixed(3)))),
      h("p", { class: "facts" }, facts),
      h("dl", { class: "facts-list" },
        h("dt", {}, t("team.covers")), h("dd", {}, m.skills.length ? h("ul", { class: "chips" }, m.skills.map((s) => h("li", { class: "chip" }, s))) : h("span", { class: "muted" }, t("none"))),
        h("dt", {}, t("result.evidence")), h("dd", {}, m.evidence.length ? h("ul", { class: "evidence" }, m.evidence.map((e) => h("li", {}, e))) : h("span", { class: "muted" }, t("result.noEvidence"))),
        m.matched_terms.length ? h("dt", {}, t("result.terms")) : null,
        m.matched_terms.length ? h("dd", {}, h("ul", { class: "chips" }, m.matched_terms.map((x) => h("li", { class: "chip term" }, x)))) : null),
      h("div", { class: "actions member-actions no-print" },
        h("button", { type: "button", class: "secondary small", "data-action": "swap", disabled: frozen || locked, "aria-expanded": sw ? "true" : "false",
                      onclick: () => (sw ? (team.swap = null, rerender()) : loadSwap(ctx, m.id)) }, t("team.swap")),
        h("button", { type: "button", class: "secondary small", "data-action": "lock", disabled: frozen || excl, "aria-pressed": locked ? "true" : "false",
                      onclick: () => { toggle(team.locked, m.id); rerender(); } }, locked ? t("team.unlock") : t("team.lock")),
        h("button", { type: "button", class: "secondary small", "data-action": "exclude", disabled: frozen || locked, "aria-pressed": excl ? "true" : "false",
                      onclick: () => { toggle(team.excluded, m.id); rerender(); } }, excl ? t("team.unexclude") : t("team.exclude"))),
      sw ? swapBox(ctx, m, sw) : null,
      fbForm);
  }

  /* A saved formation whose proposal was not kept (saved before proposals were, or changed since):
     its members and status, with the same outputs. */
  function savedOnly(ctx, kind, saved, status) {
    const { h } = ctx;
    const rec = saved.record, info = saved.info || {}, L = window.MSG.registerAll(saved.labels || {});
    const plural = { team: "teams", panel: "panels", consortium: "consortia" }[kind];
    return h("section", { class: "card team-head", "data-formation-id": rec.id, "data-testid": "saved-only" },
      h("div", { class: "result-head" }, h("h2", {}, t("title." + kind) + "：" + ((saved.request || {}).title || "")),
        h("span", { class: "badge", "data-testid": kind + "-status" }, t("status." + status))),
      h("p", { class: "muted" }, t("f.savedOnly")),
      h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("f.expert")), h("th", { scope: "col" }, t("tcsv.title")), h("th", { scope: "col" }, t("tcsv.institution")), h("th", { scope: "col" }, t("team.covers")))),
        h("tbody", {}, rec.members.map((m) => h("tr", { "data-id": m.id }, h("td", {}, nameOf(L, m.id, m.name || "")), h("td", {}, (info[m.id] || {}).title || ""),
          h("td", {}, (info[m.id] || {}).institution || ""), h("td", {}, m.skills.map((c) => nameOf(L, c, c)).join("、"))))))),
      h("div", { class: "actions" }, outputs(ctx, plural, rec.id, null)));
  }

  async function loadSwap(ctx, member) {
    team.swap = { member, options: null, error: null, busy: true };
    await pageTeam(ctx);
    try {
      const res = await ctx.api(`/v1/teams/${encodeURIComponent(team.created.formation_id)}/swap`, { body: { remove: member, n: 5 } });
      team.swap.options = res.options;
    } catch (e) { if (!ctx.signedIn()) return; team.swap.error = e; }
    team.swap.busy = false;
    if (onTeamPage()) await pageTeam(ctx);
  }

  function swapBox(ctx, m, sw) {
    const { h } = ctx;
    if (sw.busy) return h("div", { class: "swap", "data-testid": "swap" }, h("p", { class: "muted" }, t("loading")));
    if (sw.error) return h("div", { class: "swap", "data-testid": "swap" }, sw.error.type === "/problems/infeasible" ? infeasibleBox(ctx, sw.error, "swap") : ctx.errorBox(sw.error));
    const opts = sw.options || [];
    return h("div", { class: "swap", "data-testid": "swap" },
      h("h3", {}, t("swap.heading", { name: m.name })),
      h("p", { class: "muted" }, t("swap.intro")),
      opts.length ? h("table", { class: "swap-options" }, h("caption", { class: "sr-only" }, t("swap.heading", { name: m.name })),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("f.expert")), h("th", { scope: "col", class: "num" }, t("swap.delta")), h("th", { scope: "col", class: "num" }, t("swap.objective")),
          h("th", { scope: "col" }, t("team.covers")), h("th", { scope: "col" }, t("f.checks")), h("th", { scope: "col" }))),
        h("tbody", {}, opts.map((o) => h("tr", { "data-testid": "swap-option", "data-id": o.candidate },
          h("td", {}, h("a", { href: "/ui/experts/" + encodeURIComponent(o.candidate) }, o.name)),
          h("td", { class: "num " + (o.objective_delta >= 0 ? "pos" : "neg") }, signed(o.objective_delta)),
          h("td", { class: "num" }, num(o.objective)),
          h("td", {}, o.skills.join("、")),
          h("td", {}, t("swap.checks", { ok: o.checks.filter((c) => c.holds).length, n: o.checks.length })),
          h("td", {}, h("button", { type: "button", class: "small", "data-action": "apply-swap", onclick: () => applySwap(ctx, m, o) }, t("swap.apply")))))))
        : h("p", { class: "muted" }, t("swap.none")));
  }

  /* Apply a swap: re-solve with the new members fixed (same size) and the replaced expert
     excluded, so the page shows the new team with all its reasons, checks and ties. */
  async function applySwap(ctx, m, o) {
    if (!team.excluded.includes(m.id)) team.excluded.push(m.id);
    team.locked = team.locked.filter((x) => x !== m.id);
    const n = o.members.length;
    // the swap's members are fixed for this one solve only; the staff's own locks stay as they are
    await solveTeam(ctx, { locked: [...o.members], k_min: n, k_max: n, excluded: [...team.excluded] },
                    t("swap.applied", { out: m.name, in: o.name, d: signed(o.objective_delta) }));
  }

  async function confirmTeam(ctx) {
    try {
      const rec = await ctx.api(`/v1/teams/${encodeURIComponent(team.created.formation_id)}/confirm`, { method: "POST" });
      team.status = rec.status; team.error = null;
      ctx.announce(t("team.confirmedMsg"));
    } catch (e) { if (!ctx.signedIn()) return; team.error = e; }
    if (onTeamPage()) await pageTeam(ctx);
  }

  function exportTeam(ctx) {
    const p = team.created.proposal;
    const head = ["no", "id", "name", "role", "institution", "title", "grade", "senior", "relevance", "skills", "evidence", "accepted", "rating", "comment"].map((c) => t("tcsv." + c));
    const lines = [head];
    p.members.forEach((m, i) => {
      const fb = team.feedback[m.id] || {};
      lines.push([i + 1, m.id, m.name, m.role === "lead" ? t("team.lead") : t("team.member"), m.institution || "", m.title || "", label("grade", m.grade),
        m.senior ? t("yes") : t("no"), m.relevance.toFixed(4), m.skills.join("; "), m.evidence.join("; "),
        fb.saved && fb.accepted ? (fb.accepted === "true" ? t("yes") : t("no")) : "", fb.saved ? fb.rating || "" : "", fb.saved ? fb.comment || "" : ""]);
    });
    ctx.downloadCsv(lines, `kexie-team-${team.created.formation_id}-${stamp()}.csv`);
    ctx.announce(t("search.exported", { n: p.members.length }));
  }

  // =========================================================================================
  // 智库专家组
  // =========================================================================================
  async function pagePanel(ctx, id) {
    const { h, show } = ctx;
    const f = panel.form;
    if (id && (!panel.created || panel.created.formation_id !== id) && !panel.busy) {
      show(h("p", { class: "muted" }, t("loading")));
      let saved;
      try { saved = await loadSaved(ctx, "panels", id); }
      catch (e) { if (!ctx.signedIn()) return; return show(h("h1", {}, t("title.panel")), loadError(ctx, "panel", e)); }
      const r = saved.request, props = saved.record.props || {};
      Object.assign(f, { title: r.title || "", text: r.text || "", issuer: r.issuer || "", size: props.size || f.size, relax: Boolean(props.relax) });
      Object.assign(panel, { created: saved, status: saved.record.status, problem: null, error: null, notice: null });
      if (!onPanelPage()) return;
    }
    const title = h("input", { id: "panel-title", type: "text", maxlength: "300", required: true, placeholder: t("panel.titlePh") });
    title.value = f.title;
    const text = h("textarea", { id: "panel-text", rows: "3", maxlength: "10000", placeholder: t("panel.textPh") });
    text.value = f.text;
    const issuer = h("input", { id: "panel-issuer", type: "text", maxlength: "300", placeholder: t("panel.issuerPh") });
    issuer.value = f.issuer;
    const size = h("input", { id: "panel-size", type: "number", min: "2", max: "30", value: String(f.size) });
    const quota = Object.fromEntries(QUOTAS.map((q) => [q, h("input", { id: "quota-" + q, type: "number", min: "0", max: "30", value: f.quotas[q] === undefined ? "" : String(f.quotas[q]), placeholder: t("panel.default") })]));
    const young = h("input", { id: "panel-young", type: "number", min: "20", max: "80", value: String(f.youngAgeMax) });
    const lottery = h("input", { id: "panel-lottery", type: "number", min: "0.05", max: "1", step: "0.05", value: f.lotteryQ, placeholder: t("panel.noLottery") });
    const seed = h("input", { id: "panel-seed", type: "number", min: "0", value: f.seed, placeholder: t("panel.randomSeed") });
    const relax = h("input", { id: "panel-relax", type: "checkbox", checked: f.relax });
    const err = h("div", { id: "panel-form-error" });
    const submit = h("button", { type: "submit", id: "panel-submit", disabled: panel.busy }, panel.busy ? t("panel.running") : t("panel.submit"));
    const form = h("form", { class: "card", id: "panel-form", novalidate: true, "aria-labelledby": "panel-form-h", onsubmit: async (ev) => {
      ev.preventDefault();
      f.title = title.value.trim(); f.text = text.value.trim(); f.issuer = issuer.value.trim(); f.size = intOr(size.value, 5);
      f.quotas = {}; QUOTAS.forEach((q) => { if (quota[q].value.trim() !== "") f.quotas[q] = intOr(quota[q].value, 0); });
      f.youngAgeMax = intOr(young.value, 45); f.lotteryQ = lottery.value.trim(); f.seed = seed.value.trim(); f.relax = relax.checked;
      const fail = (msg, el) => { while (err.firstChild) err.removeChild(err.firstChild); err.appendChild(h("div", { class: "error", role: "alert" }, msg)); el.focus(); };
      if (!f.title) return fail(t("team.needTitle"), title);
      if (f.size < 2 || f.size > 30) return fail(t("panel.badSize"), size);
      const bad = QUOTAS.find((q) => f.quotas[q] !== undefined && (f.quotas[q] < 0 || f.quotas[q] > f.size) && !(q === "per_institution" && f.quotas[q] >= 1));
      if (bad || f.quotas.per_institution === 0) return fail(t("panel.badQuota", { q: t("quota." + (bad || "per_institution")) }), quota[bad || "per_institution"]);
      if (f.youngAgeMax < 20 || f.youngAgeMax > 80) return fail(t("panel.badYoung"), young);
      const q = f.lotteryQ ? Number(f.lotteryQ) : null;
      if (q !== null && !(q > 0 && q <= 1)) return fail(t("panel.badLottery"), lottery);
      await solvePanel(ctx);
    } },
      h("h2", { id: "panel-form-h", class: "form-h" }, t("panel.formHeading")),
      h("div", { class: "form-2" }, field(ctx, "panel-title", t("panel.title"), title), field(ctx, "panel-issuer", t("panel.issuer"), issuer)),
      field(ctx, "panel-text", t("panel.text"), text),
      h("fieldset", { class: "quotas" }, h("legend", {}, t("panel.quotas")),
        h("div", { class: "form-grid" }, field(ctx, "panel-size", t("panel.size"), size), QUOTAS.map((q) => field(ctx, "quota-" + q, t("quota." + q), quota[q])))),
      h("div", { class: "form-grid" }, field(ctx, "panel-young", t("panel.youngAgeMax"), young), field(ctx, "panel-lottery", t("panel.lottery"), lottery, t("panel.lotteryHint")),
        field(ctx, "panel-seed", t("panel.seed"), seed)),
      h("label", { class: "check", for: "panel-relax" }, relax, " ", t("panel.relax")),
      err, h("div", { class: "actions" }, submit));
    const result = h("div", { id: "panel-result", "aria-busy": panel.busy ? "true" : "false" });
    show(h("h1", {}, t("title.panel")), h("p", { class: "muted" }, t("panel.intro")), form, result);
    renderPanelResult(ctx, result);
  }

  async function solvePanel(ctx) {
    const f = panel.form;
    panel.busy = true; panel.error = null; panel.problem = null; panel.notice = null;
    if (onPanelPage()) await pagePanel(ctx);
    ctx.announce(t("panel.running"));
    try {
      const body = { title: f.title, text: f.text, issuer: f.issuer || null,
                     panel: { size: f.size, quota_counts: f.quotas, young_age_max: f.youngAgeMax, relax: f.relax,
                              lottery_q: f.lotteryQ ? Number(f.lotteryQ) : null, seed: f.seed ? intOr(f.seed, 0) : null } };
      const res = await ctx.api("/v1/topics", { body });
      panel.created = Object.assign({}, res, { created_at: new Date().toISOString(), request: { title: f.title, issuer: f.issuer } });
      panel.status = "proposed";
      ctx.setUrl("/ui/panel/" + encodeURIComponent(res.formation_id));
      ctx.announce(t("panel.done", { n: panel.created.proposal.members.length }));
    } catch (e) {
      if (!ctx.signedIn()) return;
      if (e instanceof ctx.ApiError && e.type === "/problems/infeasible") panel.problem = e; else panel.error = e;
      panel.created = null;
      ctx.announce(t("team.failed"));
    } finally { panel.busy = false; }
    if (onPanelPage()) await pagePanel(ctx);
  }

  function renderPanelResult(ctx, box) {
    const { h } = ctx;
    if (panel.problem) return box.appendChild(infeasibleBox(ctx, panel.problem, "panel"));
    if (panel.error) box.appendChild(ctx.errorBox(panel.error));
    if (!panel.created) { if (!panel.busy && !panel.error) box.appendChild(h("p", { class: "muted empty" }, t("panel.empty"))); return; }
    if (!panel.created.proposal) return box.appendChild(savedOnly(ctx, "panel", panel.created, panel.status));
    const res = panel.created, p = res.proposal, lot = p.lottery, L = window.MSG.registerAll(res.labels || {}), info = res.info || {};
    const disc = (c) => nameOf(L, c, c);
    const byId = Object.fromEntries(p.members.map((m) => [m.id, m]));
    const quotaChecks = p.checks.filter((c) => c.name.startsWith("quota:"));
    const otherChecks = p.checks.filter((c) => !c.name.startsWith("quota:"));
    const d = p.diversity || {};
    const head = h("section", { class: "card panel-head", "aria-labelledby": "panel-h", "data-formation-id": res.formation_id, "data-request-id": res.request_id },
      printHead(ctx, "title.panel", [[t("panel.title"), p.topic_title], [t("panel.issuer"), (res.request || {}).issuer || panel.form.issuer], [t("f.date"), fmtDate(res.created_at)], [t("f.status"), t("status." + panel.status)]]),
      h("div", { class: "result-head" }, h("h2", { id: "panel-h" }, t("panel.proposal", { title: p.topic_title })),
        h("span", { class: "badge " + (panel.status === "confirmed" ? "ok" : ""), "data-testid": "panel-status" }, t("status." + panel.status)),
        p.feasible ? h("span", { class: "badge ok" }, t("f.allHold")) : h("span", { class: "badge bad" }, t("f.someFail")),
        p.relaxed.length ? h("span", { class: "badge warn" }, t("panel.relaxedBadge", { n: p.relaxed.length })) : null),
      h("p", { class: "muted" }, t("panel.meta", { date: fmtDate(res.created_at), solver: t("solver." + p.solver), s: p.seconds })),
      h("div", { class: "summary" },
        h("div", { class: "stat" }, t("obj.objective"), h("b", {}, num(p.objective))),
        h("div", { class: "stat" }, t("obj.relevance_mean"), h("b", {}, num(p.relevance_mean))),
        h("div", { class: "stat" }, t("div.n_disciplines"), h("b", {}, String(d.n_disciplines ?? ""))),
        h("div", { class: "stat" }, t("div.n_institutions"), h("b", {}, String(d.n_institutions ?? ""))),
        h("div", { class: "stat" }, t("div.n_young"), h("b", {}, String(d.n_young ?? "")))),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "panel-confirm", disabled: panel.status !== "proposed", onclick: () => confirmPanel(ctx) }, panel.status === "confirmed" ? t("team.confirmed") : t("panel.confirm")),
        outputs(ctx, "panels", res.formation_id, { id: "panel-export", onclick: () => exportPanel(ctx) })));
    const cols = [t("f.expert"), t("tcsv.title"), t("panel.institution"), t("panel.sector"), t("expert.grade"), t("panel.young"), t("result.disciplines"), t("f.relevance"), t("panel.prior")];
    if (lot) cols.push(t("panel.probability"));
    const members = h("section", { class: "card", "aria-labelledby": "pm-h" }, h("h2", { id: "pm-h" }, t("panel.members", { n: p.members.length })),
      h("table", { id: "panel-members" }, h("caption", { class: "sr-only" }, t("panel.members", { n: p.members.length })),
        h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, p.members.map((m) => h("tr", { "data-testid": "panel-member", "data-id": m.id },
          h("td", {}, h("a", { class: "name", href: "/ui/experts/" + encodeURIComponent(m.id) }, nameOf(L, m.id, m.name)),
            [(info[m.id] || {}).email, (info[m.id] || {}).phone].some(Boolean) ? h("div", { class: "muted" }, [(info[m.id] || {}).email, (info[m.id] || {}).phone].filter(Boolean).join(" · ")) : null,
            m.evidence.length ? h("ul", { class: "reasons" }, m.evidence.map((e) => h("li", {}, e))) : null),
          h("td", {}, (info[m.id] || {}).title || ""),
          h("td", {}, (!zh() && (info[m.id] || {}).institution_en) || m.institution || ""), h("td", {}, t("sector." + m.sector)), h("td", {}, label("grade", m.grade === "none" ? "" : m.grade) || t("none")),
          h("td", {}, m.young ? t("yes") : t("no")), h("td", {}, m.disciplines.map(disc).join("、")),
          h("td", { class: "nowrap" }, ctx.bar(m.relevance, "small"), " ", h("span", { class: "score" }, m.relevance.toFixed(3))),
          h("td", { class: "num" }, ctx.pct(m.prior_share)),
          lot ? h("td", { class: "num", "data-testid": "probability" }, m.selection_probability === null ? "" : ctx.pct(m.selection_probability)) : null)))));
    const quotas = h("section", { class: "card", "aria-labelledby": "pq-h" }, h("h2", { id: "pq-h" }, t("panel.quotaHeading")),
      h("table", { id: "quotas" }, h("caption", { class: "sr-only" }, t("panel.quotaHeading")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("panel.quota")), h("th", { scope: "col" }, t("f.holdsCol")), h("th", { scope: "col" }, t("f.detail")))),
        h("tbody", {}, quotaChecks.map((c) => {
          const name = c.name.slice(6), relaxed = p.relaxed.includes(name) || p.relaxed.includes(c.name);
          return h("tr", { "data-testid": "quota-row", "data-quota": name, "data-holds": String(c.holds) },
            h("td", {}, t("quota." + name) || name, relaxed ? h("span", { class: "badge warn" }, t("panel.relaxed")) : null),
            h("td", {}, checkMark(c, h)), h("td", { class: "muted" }, window.MSG.field(c, "detail")));
        }))),
      p.relaxed.length || p.reasons.length ? h("div", { class: "relaxed", "data-testid": "relaxed" },
        h("h3", {}, t("panel.relaxedHeading")), p.relaxed.length ? h("ul", { class: "chips" }, p.relaxed.map((r) => h("li", { class: "chip term" }, t("quota." + r.replace("quota:", "")) || r))) : null,
        h("ul", { class: "reasons" }, relaxationLines(p).concat(window.MSG.fieldList(p, "reasons")).map((r) => h("li", {}, r)))) : null,
      h("h3", {}, t("f.checks")), checksTable(ctx, "panel-checks", otherChecks));
    const pairs = (obj, prefix) => Object.entries(obj || {}).map(([k, v]) => `${prefix ? label(prefix, k) || t("sector." + k) : k} ${v}`).join("、");
    const diversity = h("section", { class: "card", "aria-labelledby": "pd-h" }, h("h2", { id: "pd-h" }, t("panel.diversity")),
      h("dl", { class: "facts-list", id: "diversity" },
        ["n_disciplines", "n_institutions", "n_young", "institution_entropy", "institution_gini", "mean_cosine_distance"].filter((k) => d[k] !== undefined && d[k] !== null)
          .flatMap((k) => [h("dt", {}, t("div." + k)), h("dd", { "data-div": k }, num(d[k]))]),
        h("dt", {}, t("div.sectors")), h("dd", {}, Object.entries(d.sectors || {}).map(([k, v]) => `${t("sector." + k)} ${v}`).join("、")),
        h("dt", {}, t("div.grades")), h("dd", {}, pairs(d.grades, "grade"))));
    const lottery = lot ? h("section", { class: "card", "aria-labelledby": "pl-h" }, h("h2", { id: "pl-h" }, t("panel.lotteryHeading")),
      h("p", { class: "muted" }, t("panel.lotteryText", { q: ctx.pct(lot.q), n: lot.panels, e: num(lot.expected_objective), o: num(lot.optimum_objective), p: num(lot.price_of_randomisation) })),
      h("table", { id: "lottery" }, h("caption", { class: "sr-only" }, t("panel.lotteryHeading")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("f.expert")), h("th", { scope: "col" }, t("panel.probability")), h("th", { scope: "col" }, t("panel.drawn")))),
        h("tbody", {}, Object.entries(lot.selection_probability).map(([id, pr]) => h("tr", { "data-id": id },
          h("td", {}, byId[id] ? byId[id].name : nameOf(L, id, t("panel.otherExpert"))), h("td", { class: "nowrap" }, ctx.bar(pr, "small"), " ", ctx.pct(pr)),
          h("td", {}, byId[id] ? t("yes") : t("no"))))))) : null;
    const svg = svgGraph(ctx, "panel-graph", t("panel.graphDesc", { n: p.members.length }));
    const graph = h("section", { class: "card graph-wrap", "aria-labelledby": "pg-h" }, h("h2", { id: "pg-h" }, t("panel.graph")), svg,
      legend(ctx, [["request", t("legend.topic")], ["member", t("legend.member")], ["institution", t("legend.org")], ["discipline", t("legend.discipline")]]));
    const excluded = h("section", { class: "card no-print", "aria-labelledby": "pe-h" }, h("h2", { id: "pe-h" }, t("f.excluded") + `（${p.excluded.length}）`), excludedTable(ctx, p.excluded));
    box.append(...[head, members, h("div", { class: "two" }, quotas, diversity), lottery, graph, excluded].filter(Boolean));
    const nodes = [{ id: "t:" + p.topic_id, label: short(p.topic_title, 14), type: "request", title: p.topic_title }], edges = [];
    const angleOf = memberAngles(p.members.length);
    p.members.forEach((m, j) => {
      nodes.push({ id: "s:" + m.id, label: m.name, type: "member", href: "/ui/experts/" + encodeURIComponent(m.id), angle: angleOf(j), ring: 0.5,
                   title: `${m.name} · ${t("sector." + m.sector)} · ${label("grade", m.grade)}${m.young ? " · " + t("panel.young") : ""}` });
      edges.push({ source: nodes[0].id, target: "s:" + m.id, dashed: true });
    });
    satellites(nodes, edges, p.members, angleOf, (m) => [
      ...(m.institution ? [{ id: "o:" + m.institution, label: short(m.institution, 10), type: "institution", title: `${m.institution} · ${t("sector." + m.sector)}`,
                             edge: (mm) => ({ source: "s:" + mm.id, target: "o:" + m.institution, kind: "works" }) }] : []),
      ...m.disciplines.map((c) => ({ id: "d:" + c, label: short(disc(c), 8), type: "discipline", title: disc(c), ring: 0.95,
                                    edge: (mm) => ({ source: "s:" + mm.id, target: "d:" + c, dashed: true, kind: "discipline" }) }))]);
    window.KexieGraph.draw(svg, nodes, edges, { width: 900, height: 480 });
  }

  async function confirmPanel(ctx) {
    try {
      const rec = await ctx.api(`/v1/panels/${encodeURIComponent(panel.created.formation_id)}/confirm`, { method: "POST" });
      panel.status = rec.status; panel.error = null; ctx.announce(t("team.confirmedMsg"));
    } catch (e) { if (!ctx.signedIn()) return; panel.error = e; }
    if (onPanelPage()) await pagePanel(ctx);
  }

  function exportPanel(ctx) {
    const p = panel.created.proposal;
    const head = ["no", "id", "name", "institution", "sector", "grade", "young", "disciplines", "relevance", "probability", "evidence"].map((c) => t("pcsv." + c));
    const lines = [head];
    const L = panel.created.labels || {};
    p.members.forEach((m, i) => lines.push([i + 1, m.id, m.name, m.institution || "", t("sector." + m.sector), m.grade === "none" ? "" : label("grade", m.grade),
      m.young ? t("yes") : t("no"), m.disciplines.map((c) => nameOf(L, c, c)).join("; "), m.relevance.toFixed(4), m.selection_probability === null ? "" : m.selection_probability.toFixed(4), m.evidence.join("; ")]));
    ctx.downloadCsv(lines, `kexie-panel-${panel.created.formation_id}-${stamp()}.csv`);
    ctx.announce(t("search.exported", { n: p.members.length }));
  }

  window.KexieFormation = { pageTeam, pagePanel, reason, nameOf, fmtDate, loadSaved, loadError, outputs, printHead, savedOnly, checksTable, legend, svgGraph, num, field, intOr };
})();
