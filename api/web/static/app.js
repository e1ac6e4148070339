/* Kexie Match staff web app: a small router and the pages (login, expert search, expert, districts).
   Talks only to this app's /v1 API with the API key entered at login (kept in localStorage: one
   sign-in per browser, so a link opened in a new tab works without asking again).
   Every page's state that matters lives in its URL (/ui/search?q=…, /ui/team/<id>, /ui/cases?…),
   so a reload or a colleague opening the link sees the same thing.
   DOM is built with h() and textContent, never innerHTML, so data cannot inject markup. */
"use strict";
(function () {
  const { t, label } = window.I18N;
  const KEY_STORE = "kexie.apiKey";
  const state = {
    key: localStorage.getItem(KEY_STORE),
    session: null,          // {name, scopes}
    districts: null,        // [{code, name, name_en}] from /v1/analytics/districts
    search: { text: "", k: 10, district: "", minGrade: "", ageMax: "", kind: "", results: null, error: null, busy: false },
    loginError: null,
    next: "/ui/",
  };
  const main = () => document.getElementById("main");

  // ---------- helpers -------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function announce(msg) { const s = document.getElementById("status"); s.textContent = ""; setTimeout(() => { s.textContent = msg; }, 30); }
  function paren(x) { return x ? (window.I18N.getLang() === "zh" ? "（" + x + "）" : " (" + x + ")") : ""; }
  function pct(x) { return (Math.round((x || 0) * 1000) / 10).toFixed(1) + "%"; }
  function bar(x, cls) { const b = h("span", { class: "bar" + (cls ? " " + cls : ""), role: "img", "aria-label": pct(x) }, h("i")); b.firstChild.style.width = Math.max(0, Math.min(1, x || 0)) * 100 + "%"; return b; }
  function districtName(code) {
    if (!code) return "";
    const d = (state.districts || []).find((x) => x.code === code);
    if (!d) return code;
    return window.I18N.getLang() === "en" && d.name_en ? d.name_en : d.name;
  }
  /* A discipline, society or organisation by name (English in English mode where known), never its code. */
  function discName(d) { return (window.I18N.getLang() === "en" && d.name_en) ? d.name_en : (d.name || d.code || ""); }
  function errorBox(err) { return h("div", { class: "error", role: "alert", "data-testid": "error" }, describe(err)); }
  function describe(err) {
    if (!(err instanceof ApiError)) return t("err.network");
    if (err.status === 403) return t("err.forbidden", { detail: err.detail });
    if (err.status === 503 && err.type.endsWith("model-unavailable")) return t("err.loading");
    return t("err.generic", { status: err.status, detail: err.detail || err.title });
  }

  // ---------- API -----------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || String(status));
      this.status = status; this.type = (body && body.type) || ""; this.title = (body && body.title) || ""; this.detail = (body && body.detail) || "";
      this.errors = (body && body.errors) || [];
      this.body = body || {};   // problem+json extensions, e.g. reasons and advice of /problems/infeasible
    }
  }
  async function api(path, opts) {
    const o = opts || {};
    const headers = { Accept: "application/json", "X-API-Key": o.key || state.key || "" };
    if (o.body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(path, { method: o.method || (o.body !== undefined ? "POST" : "GET"), headers,
                                     body: o.body !== undefined ? JSON.stringify(o.body) : undefined });
    const body = await resp.json().catch(() => null);
    if (!resp.ok) {
      const err = new ApiError(resp.status, body);
      if (resp.status === 401 && !o.key) { logout(false); state.loginError = t("login.invalid"); go("/ui/login", true); }
      throw err;
    }
    return body;
  }
  async function ensureDistricts() {
    if (state.districts) return state.districts;
    const res = await api("/v1/analytics/districts");
    state.districts = res.report.districts.map((d) => ({ code: d.code, name: d.name, name_en: d.name_en }));
    return state.districts;
  }

  // ---------- session -------------------------------------------------------------------------
  function renderSession() {
    const who = document.getElementById("whoami"), out = document.getElementById("logout"), nav = document.getElementById("nav");
    const on = Boolean(state.key && state.session);
    who.hidden = out.hidden = nav.hidden = !on;
    while (who.firstChild) who.removeChild(who.firstChild);
    if (on) {
      who.appendChild(document.createTextNode(t("whoami", { name: state.session.name }) + " · " + t("scopes") + ":"));
      const order = ["read", "write", "contact", "admin"];
      const scopes = [...state.session.scopes].sort((a, b) => order.indexOf(a) - order.indexOf(b));
      for (const s of scopes) who.appendChild(h("span", { class: "scope", "data-scope": s }, label("scope", s)));
    }
    const lang = document.getElementById("lang");
    lang.textContent = t("lang.switch");
    lang.setAttribute("aria-label", t("lang.switch.aria"));
    lang.setAttribute("lang", window.I18N.getLang() === "zh" ? "en" : "zh");
  }
  function logout(announceIt) {
    localStorage.removeItem(KEY_STORE);
    state.key = null; state.session = null; state.districts = null;
    state.search.results = null;
    renderSession();
    if (announceIt) announce(t("logged.out"));
  }

  // ---------- router --------------------------------------------------------------------------
  function go(path, replace) {
    if (replace) history.replaceState({}, "", path); else history.pushState({}, "", path);
    render(true);
  }
  /* Each render has a number; a page that awaited while the user moved on stops drawing
     (so a slow page cannot overwrite the one the user navigated to). */
  let seq = 0;
  function freshness() { const my = seq; return () => my === seq; }
  async function render(focus) {
    const my = ++seq;
    const path = location.pathname.replace(/\/+$/, "") || "/ui";
    window.I18N.apply();
    if (!state.key && path !== "/ui/login") { state.next = location.pathname + location.search; history.replaceState({}, "", "/ui/login"); return render(focus); }
    if (state.key && !state.session) {
      try { state.session = await api("/ui/session"); } catch (e) { if (!state.key) return; }
      if (my !== seq) return;
    }
    renderSession();
    let m;
    document.querySelectorAll("#nav a").forEach((a) => a.removeAttribute("aria-current"));
    const mark = (r) => { const a = document.querySelector(`#nav a[data-route="${r}"]`); if (a) a.setAttribute("aria-current", "page"); };
    if (path === "/ui/login") { if (state.key && state.session) return go(state.next || "/ui/", true); setTitle("title.login"); pageLogin(); }
    else if (path === "/ui" || path === "/ui/search") { setTitle("title.search"); mark("search"); await pageSearch(true); }
    else if (path === "/ui/cases") { setTitle("title.cases"); mark("cases"); await window.KexieCases.pageCases(ctx()); }
    else if ((m = path.match(/^\/ui\/experts\/([^/]+)$/))) { setTitle("title.expert"); mark("search"); await pageExpert(decodeURIComponent(m[1])); }
    else if (path === "/ui/districts") { setTitle("title.districts"); mark("districts"); await pageDistricts(); }
    else if ((m = path.match(/^\/ui\/team(?:\/([^/]+))?$/))) { setTitle("title.team"); mark("team"); await window.KexieFormation.pageTeam(ctx(), m[1] ? decodeURIComponent(m[1]) : null); }
    else if ((m = path.match(/^\/ui\/panel(?:\/([^/]+))?$/))) { setTitle("title.panel"); mark("panel"); await window.KexieFormation.pagePanel(ctx(), m[1] ? decodeURIComponent(m[1]) : null); }
    else if (path === "/ui/evaluation") { setTitle("title.evaluation"); mark("review"); await window.KexieReview.pageEvaluation(ctx()); }
    else if ((m = path.match(/^\/ui\/rounds(?:\/([^/]+))?$/))) { setTitle("title.rounds"); mark("review"); await window.KexieReview.pageRounds(ctx(), m[1] ? decodeURIComponent(m[1]) : null); }
    else if ((m = path.match(/^\/ui\/consortium(?:\/([^/]+))?$/))) { setTitle("title.consortium"); mark("consortium"); await window.KexieConsortium.pageConsortium(ctx(), m[1] ? decodeURIComponent(m[1]) : null); }
    else { setTitle("title.notfound"); show(h("h1", {}, t("title.notfound")), h("p", {}, t("notfound.body"))); }
    // a page that finished after the staff moved on must not take the focus from the page now shown
    if (focus && my === seq) main().focus();
  }
  function setTitle(k) { document.title = t(k) + " · " + t("app.name"); }
  function show(...nodes) { const m = main(); while (m.firstChild) m.removeChild(m.firstChild); nodes.flat().forEach((n) => n && m.appendChild(n)); }

  document.addEventListener("click", (ev) => {
    const a = ev.target.closest && ev.target.closest("a");
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey || a.hasAttribute("download")) return;
    const href = a.getAttribute("href");
    if (href && href.startsWith("/ui/") && !href.startsWith("/ui/static/")) { ev.preventDefault(); go(href); }
  });
  window.addEventListener("popstate", () => render(true));

  // ---------- login ---------------------------------------------------------------------------
  function pageLogin() {
    const input = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "off", spellcheck: "false",
                               required: true, "aria-describedby": "login-intro", placeholder: "kx_…" });
    const err = h("div", { id: "login-error" });
    if (state.loginError) err.appendChild(h("div", { class: "error", role: "alert" }, state.loginError));
    const submit = h("button", { type: "submit" }, t("login.submit"));
    const form = h("form", { class: "card login", "aria-labelledby": "login-h", novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      const key = input.value.trim();
      const fail = (msg) => { state.loginError = msg; while (err.firstChild) err.removeChild(err.firstChild); err.appendChild(h("div", { class: "error", role: "alert" }, msg)); input.focus(); };
      if (!key) return fail(t("login.empty"));
      submit.disabled = true; announce(t("login.checking"));
      try {
        const who = await api("/ui/session", { key });
        localStorage.setItem(KEY_STORE, key);
        state.key = key; state.session = who; state.loginError = null;
        go(state.next && state.next !== "/ui/login" ? state.next : "/ui/", true);
      } catch (e) {
        submit.disabled = false;
        fail(e instanceof ApiError && e.status === 401 ? t("login.invalid") : e instanceof ApiError ? t("login.failed", { detail: e.detail }) : t("err.network"));
      }
    } },
      h("h1", { id: "login-h" }, t("login.heading")),
      h("p", { id: "login-intro", class: "muted" }, t("login.intro")),
      h("label", { class: "field", for: "api-key" }, h("span", {}, t("login.key")), input),
      err,
      h("div", { class: "actions" }, submit));
    show(form);
    input.focus();
  }

  // ---------- expert search -------------------------------------------------------------------
  const GRADES = ["student_member", "member", "senior_member", "fellow"];
  const KINDS = ["enterprise", "university", "institute"];

  /* The search's URL: /ui/search?q=…&k=…&district=…&grade=…&age=…&kind=… */
  function searchUrl(s) {
    const q = new URLSearchParams();
    q.set("q", s.text); if (s.k !== 10) q.set("k", String(s.k));
    if (s.district) q.set("district", s.district); if (s.minGrade) q.set("grade", s.minGrade);
    if (s.ageMax) q.set("age", s.ageMax); if (s.kind) q.set("kind", s.kind);
    return "/ui/search?" + q.toString();
  }
  async function runSearch() {
    const s = state.search;
    const filters = {};
    if (s.district) filters.districts = [s.district];
    if (s.minGrade) filters.min_grade = s.minGrade;
    if (s.ageMax) filters.age_max = Number(s.ageMax);
    if (s.kind) filters.institution_kinds = [s.kind];
    s.busy = true; await pageSearch(); announce(t("search.running"));
    try {
      const res = await api("/v1/experts/search", { body: { text: s.text, k: s.k, filters } });
      s.results = res.data; s.lowConfidence = !!res.low_confidence; s.error = null; s.ran = searchUrl(s);
      announce(t("search.count", { n: res.count }));
    } catch (e) { s.error = e; s.results = null; }
    s.busy = false;
    if (location.pathname.replace(/\/+$/, "") === "/ui" || location.pathname === "/ui/search") await pageSearch();
  }

  async function pageSearch(fromUrl) {
    const s = state.search;
    const fresh = freshness();
    if (fromUrl) {   // a link or a reload: the URL says what to search
      const u = new URLSearchParams(location.search);
      if (u.get("q") && location.pathname + location.search !== s.ran && !s.busy) {
        Object.assign(s, { text: u.get("q"), k: Number(u.get("k")) || 10, district: u.get("district") || "", minGrade: u.get("grade") || "",
                           ageMax: u.get("age") || "", kind: u.get("kind") || "", error: null, results: null });
        try { await ensureDistricts(); } catch (e) { if (!state.key) return; }
        if (!fresh()) return;
        return runSearch();
      }
    }
    try { await ensureDistricts(); } catch (e) { if (!state.key) return; }
    if (!fresh()) return;
    const opt = (value, text, sel) => h("option", { value, selected: sel }, text);
    const field = (id, text, control) => h("label", { class: "field", for: id }, h("span", {}, text), control);
    const text = h("textarea", { id: "q", name: "q", rows: "3", placeholder: t("search.placeholder"), required: true });
    text.value = s.text;
    const k = h("input", { id: "k", type: "number", min: "1", max: "100", value: String(s.k) });
    const district = h("select", { id: "district" }, opt("", t("search.anyDistrict")),
      (state.districts || []).map((d) => opt(d.code, districtName(d.code), d.code === s.district)));
    const grade = h("select", { id: "grade" }, opt("", t("search.anyGrade")), GRADES.map((g) => opt(g, label("grade", g), g === s.minGrade)));
    const age = h("input", { id: "age", type: "number", min: "16", max: "100", value: s.ageMax });
    const kind = h("select", { id: "kind" }, opt("", t("search.anyKind")), KINDS.map((x) => opt(x, label("kind", x), x === s.kind)));
    const submit = h("button", { type: "submit", disabled: s.busy }, s.busy ? t("search.running") : t("search.submit"));
    const exportBtn = h("button", { type: "button", class: "secondary", id: "export", disabled: !(s.results && s.results.length),
                                    onclick: () => exportCsv() }, t("search.export"));
    const results = h("section", { id: "results", "aria-labelledby": "results-h", "aria-busy": s.busy ? "true" : "false" });
    const form = h("form", { class: "card", role: "search", onsubmit: async (ev) => {
      ev.preventDefault();
      Object.assign(s, { text: text.value.trim(), k: Number(k.value) || 10, district: district.value, minGrade: grade.value,
                         ageMax: age.value, kind: kind.value, error: null });
      if (!s.text) { s.error = t("search.needText"); s.results = null; return pageSearch(); }
      history.pushState({}, "", searchUrl(s));
      await runSearch();
      const first = document.querySelector("#results h2"); if (first) first.focus();
    } },
      field("q", t("search.text"), text),
      h("div", { class: "form-grid" }, field("k", t("search.k"), k), field("district", t("search.district"), district),
        field("grade", t("search.minGrade"), grade), field("age", t("search.ageMax"), age), field("kind", t("search.kind"), kind)),
      h("div", { class: "actions" }, submit, exportBtn));
    if (s.error) results.appendChild(typeof s.error === "string" ? h("div", { class: "error", role: "alert" }, s.error) : errorBox(s.error));
    if (s.results) {
      results.appendChild(h("h2", { id: "results-h", tabindex: "-1" }, t("search.count", { n: s.results.length })));
      if (!s.results.length) results.appendChild(h("p", { class: "muted" }, t("search.none")));
      else if (s.lowConfidence) results.appendChild(h("div", { class: "error", role: "status", "data-testid": "low-confidence" }, t("search.lowConfidence")));
      s.results.forEach((r, i) => results.appendChild(resultCard(r, i)));
    }
    show(h("h1", {}, t("title.search")), h("p", { class: "muted" }, t("search.intro")), form, results);
  }

  function resultCard(r, i) {
    const ex = r.explanation, f = ex.facts || {};
    const inst = f.institution ? f.institution.name + paren(label("kind", f.institution.kind)) : "";
    const factsLine = [f.title, inst, districtName(f.district), f.birth_year ? t("expert.born", { y: f.birth_year }) : "",
                       (f.talent_kinds || []).map((x) => label("talent", x)).join("、"), label("avail", f.availability),
                       f.max_active_teams ? t("result.load", { a: f.active_teams || 0, m: f.max_active_teams }) : ""].filter(Boolean).join(" · ");
    const comps = Object.entries(ex.components);
    const compTable = h("table", { class: "components" },
      h("caption", { class: "sr-only" }, t("result.components")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("result.component")), h("th", { scope: "col" }, t("result.value")), h("th", { scope: "col", class: "num" }, t("result.weight")))),
      h("tbody", {}, comps.map(([name, v]) => h("tr", { "data-component": name },
        h("td", {}, label("comp", name)),
        h("td", {}, bar(v, "small"), " ", h("span", { class: "score" }, v.toFixed(2))),
        h("td", { class: "num" }, ex.weights[name] !== undefined ? ex.weights[name].toFixed(2) : h("span", { class: "muted" }, t("result.notUsed")))))));
    const evidence = ex.evidence.length
      ? h("ul", { class: "evidence" }, ex.evidence.map((e) => h("li", {},
          h("span", { class: "badge" }, label("ev", e.kind)), " ", h("span", { class: "ev-title" }, e.title),
          h("span", { class: "muted ev-score", title: t("result.value") }, " " + e.score.toFixed(2)),
          e.year ? h("span", { class: "muted" }, "（" + e.year + "）") : null, " ",
          e.matched_terms.length ? h("span", { class: "chips inline" }, e.matched_terms.map((m) => h("span", { class: "chip term" }, m))) : null)))
      : h("p", { class: "muted" }, t("result.noEvidence"));
    const discs = ex.matched_disciplines.map((d) => discName(d));
    const socs = (f.societies || []).map((s) => s.name + paren([label("grade", s.grade), s.role && s.role !== "member" ? label("role", s.role) : ""].filter(Boolean).join(window.I18N.getLang() === "zh" ? "，" : ", ")));
    const dl = h("dl", { class: "facts-list" },
      h("dt", {}, t("result.terms")), h("dd", {}, ex.matched_terms.length ? h("ul", { class: "chips" }, ex.matched_terms.map((m) => h("li", { class: "chip term" }, m))) : t("none")),
      (ex.unmatched_terms || []).length ? [h("dt", {}, t("result.unmatched")), h("dd", { "data-testid": "unmatched" }, h("ul", { class: "chips" }, ex.unmatched_terms.map((m) => h("li", { class: "chip muted" }, m))))] : null,
      ex.low_confidence ? [h("dt", {}, t("result.confidence")), h("dd", { class: "excl" }, t("result.lowConfidence"))] : null,
      h("dt", {}, t("result.matchedDisc")), h("dd", {}, discs.length ? discs.join("、") + (ex.query_disciplines_inferred ? t("result.inferred") : "") : t("none")),
      h("dt", {}, t("result.disciplines")), h("dd", {}, (f.discipline_names || (f.disciplines || []).map((c) => ({ name: c }))).map((d) => d.name).join("、") || t("none")),
      h("dt", {}, t("result.societies")), h("dd", {}, socs.join("；") || t("none")),
      h("dt", {}, t("result.institution")), h("dd", {}, inst || t("none")),
      r.contact && (r.contact.email || r.contact.phone) ? [h("dt", {}, t("result.contact")), h("dd", {}, [r.contact.email, r.contact.phone].filter(Boolean).join(" · "))] : null,
      ex.exclusions.length ? [h("dt", { class: "excl" }, t("result.exclusions")), h("dd", { class: "excl" }, window.MSG.fieldList(ex, "exclusions").join(window.I18N.getLang() === "zh" ? "；" : "; "))] : null);
    return h("article", { class: "card result", "data-testid": "result", "data-id": r.scientist_id, "aria-labelledby": "r-" + i },
      h("div", { class: "rank", "aria-hidden": "true" }, String(i + 1)),
      h("div", {},
        h("div", { class: "result-head" },
          h("a", { class: "name", id: "r-" + i, href: "/ui/experts/" + encodeURIComponent(r.scientist_id) }, r.name),
          h("span", {}, t("result.score"), " ", bar(r.score), " ", h("span", { class: "score", "data-testid": "score" }, r.score.toFixed(3))),
          h("span", { class: "badge " + (r.eligible ? "ok" : "bad") }, r.eligible ? t("result.eligible") : t("result.ineligible"))),
        h("div", { class: "facts" }, factsLine),
        h("details", { class: "explanation", open: i < 3 },
          h("summary", {}, t("result.explain")),
          h("div", { class: "explain" }, h("div", {}, h("h3", {}, t("result.components")), compTable),
            h("div", {}, h("h3", {}, t("result.evidence")), evidence, dl)))));
  }

  // ---------- CSV export ----------------------------------------------------------------------
  function csvCell(v) {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;   // keep spreadsheets from running formulas
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function exportCsv() {
    const rows = state.search.results || [];
    const head = ["rank", "id", "name", "score", "eligible", "title", "institution", "kind", "district", "societies", "disciplines", "terms", "evidence", "exclusions"].map((c) => t("csv." + c));
    const lines = [head];
    rows.forEach((r, i) => {
      const ex = r.explanation, f = ex.facts || {};
      lines.push([i + 1, r.scientist_id, r.name, r.score.toFixed(4), r.eligible ? t("yes") : t("no"), f.title || "",
        f.institution ? f.institution.name : "", f.institution ? label("kind", f.institution.kind) : "", districtName(f.district),
        (f.societies || []).map((s) => `${s.name}(${label("grade", s.grade)})`).join("; "),
        ex.matched_disciplines.map((d) => d.name).join("; ") || (f.discipline_names || []).map((d) => d.name).join("; "),
        ex.matched_terms.join("; "), ex.evidence.map((e) => e.title + (e.year ? ` (${e.year})` : "")).join("; "), ex.exclusions.join("; ")]);
    });
    const d = new Date(), stamp = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}`;
    downloadCsv(lines, `kexie-experts-${stamp}.csv`);
    announce(t("search.exported", { n: rows.length }));
  }
  /* Download rows as CSV: UTF-8 with a BOM (Excel), CRLF, cells guarded by csvCell. */
  function downloadCsv(lines, filename) {
    const text = "\uFEFF" + lines.map((l) => l.map(csvCell).join(",")).join("\r\n") + "\r\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    const a = h("a", { href: url, download: filename });
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  // ---------- expert page ---------------------------------------------------------------------
  async function pageExpert(id) {
    show(h("p", { class: "muted" }, t("loading")));
    let p;
    const fresh = freshness();
    try { await ensureDistricts(); p = await api("/v1/experts/" + encodeURIComponent(id)); }
    catch (e) {
      if (!state.key || !fresh()) return;
      return show(h("p", {}, h("a", { href: "/ui/" }, "← " + t("back"))), e instanceof ApiError && e.status === 404 ? h("div", { class: "error", role: "alert" }, t("expert.notFound", { id })) : errorBox(e));
    }
    if (!fresh()) return;
    const s = p.scientist;
    const table = (caption, cols, rows) => h("table", {}, h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows));
    const facts = [s.title, s.birth_year ? t("expert.born", { y: s.birth_year }) : "", (s.talent_kinds || []).map((x) => label("talent", x)).join("、"),
                   label("avail", s.availability), p.district ? t("expert.district") + "：" + districtName(p.district) : "",
                   s.email, s.phone, s.orcid ? "ORCID " + s.orcid : ""].filter(Boolean).join(" · ");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("role", "img"); svg.setAttribute("data-testid", "graph");
    const { nodes, edges } = neighbourhood(p);
    const gtitle = document.createElementNS("http://www.w3.org/2000/svg", "title");
    gtitle.textContent = t("expert.graphDesc", { name: s.name, n: nodes.length });
    svg.appendChild(gtitle);
    svg.setAttribute("aria-label", gtitle.textContent);
    const legend = h("div", { class: "legend" }, ["scientist", "coauthor", "society", "org", "discipline"].map((k) => {
      const i = h("i"); i.style.background = window.KexieGraph.COLORS[k]; return h("span", {}, i, t("legend." + k));
    }));
    show(
      h("p", {}, h("a", { href: "/ui/" }, "← " + t("back"))),
      h("h1", { "data-id": s.id }, s.name, s.name_en ? h("span", { class: "muted" }, " " + s.name_en) : null),
      h("p", { class: "facts" }, facts),
      s.bio ? h("p", {}, s.bio) : null,
      h("section", { class: "card graph-wrap", "aria-labelledby": "graph-h" }, h("h2", { id: "graph-h" }, t("expert.graph")), svg, legend),
      h("div", { class: "profile-grid" },
        h("section", { class: "card", "aria-labelledby": "soc-h" }, h("h2", { id: "soc-h" }, t("expert.societies")),
          p.societies.length ? table(t("expert.societies"), [t("expert.society"), t("expert.grade"), t("expert.role")],
            p.societies.map((x) => h("tr", {}, h("td", {}, x.name), h("td", {}, label("grade", x.grade)), h("td", {}, label("role", x.role))))) : h("p", { class: "muted" }, t("none"))),
        h("section", { class: "card", "aria-labelledby": "aff-h" }, h("h2", { id: "aff-h" }, t("expert.affiliations")),
          p.affiliations.length ? table(t("expert.affiliations"), [t("expert.org"), t("expert.kind"), t("expert.position")],
            p.affiliations.map((x) => h("tr", {}, h("td", {}, x.name, x.current === false ? h("span", { class: "muted" }, "（" + t("expert.former") + "）") : ""), h("td", {}, label("kind", x.kind)), h("td", {}, x.title || "")))) : h("p", { class: "muted" }, t("none"))),
        h("section", { class: "card", "aria-labelledby": "disc-h" }, h("h2", { id: "disc-h" }, t("expert.disciplines")),
          p.disciplines.length ? h("ul", { class: "chips" }, p.disciplines.map((d) => h("li", { class: "chip", "data-code": d.code }, discName(d)))) : h("p", { class: "muted" }, t("none"))),
        h("section", { class: "card", "aria-labelledby": "co-h" }, h("h2", { id: "co-h" }, t("expert.coauthors")),
          p.coauthors.length ? h("ul", {}, p.coauthors.map((c) => h("li", {}, h("a", { href: "/ui/experts/" + encodeURIComponent(c.id) }, c.name), " ", h("span", { class: "muted" }, t("expert.shared", { n: c.shared_evidence }))))) : h("p", { class: "muted" }, t("none")))),
      h("section", { class: "card", "aria-labelledby": "ev-h" }, h("h2", { id: "ev-h" }, t("expert.evidence", { n: p.evidence.length })),
        p.evidence.length ? table(t("expert.evidence", { n: p.evidence.length }), [t("expert.kind"), t("expert.titleCol"), t("expert.year")],
          p.evidence.map((e) => h("tr", { "data-testid": "evidence" }, h("td", {}, label("ev", e.kind)), h("td", {}, e.title), h("td", {}, e.year ? String(e.year) : "")))) : h("p", { class: "muted" }, t("none"))));
    window.KexieGraph.draw(svg, nodes, edges, { width: 820, height: 460 });
  }

  function neighbourhood(p) {
    const s = p.scientist;
    const nodes = [{ id: "s:" + s.id, label: s.name, type: "scientist", title: s.name }];
    const edges = [];
    const add = (n, dashed) => { if (!nodes.some((x) => x.id === n.id)) nodes.push(n); edges.push({ source: nodes[0].id, target: n.id, dashed }); };
    p.coauthors.forEach((c) => add({ id: "s:" + c.id, label: c.name, type: "coauthor", href: "/ui/experts/" + encodeURIComponent(c.id),
                                    title: `${c.name} · ${t("expert.shared", { n: c.shared_evidence })}` }));
    p.societies.forEach((g) => add({ id: "g:" + g.id, label: g.name, type: "society", title: `${g.name} · ${label("grade", g.grade)}` }));
    p.affiliations.forEach((o) => add({ id: "o:" + o.id, label: o.name, type: "org", title: `${o.name} · ${label("kind", o.kind)}` }, o.current === false));
    p.disciplines.forEach((d) => add({ id: "d:" + d.code, label: discName(d), type: "discipline", title: discName(d) }, true));
    return { nodes, edges };
  }

  // ---------- district analytics --------------------------------------------------------------
  const dstate = { target: 20, branch: 30, liaison: 5 };
  async function pageDistricts() {
    show(h("p", { class: "muted" }, t("loading")));
    let cov, pres, cps;
    const fresh = freshness();
    try {
      [cov, pres, cps] = await Promise.all([
        api(`/v1/analytics/districts?target=${dstate.target}`),
        api(`/v1/analytics/presence?target=${dstate.target}&branch_threshold=${dstate.branch}&liaison_threshold=${dstate.liaison}`),
        api("/v1/analytics/counterparts"),
      ]);
      await ensureDistricts();
    } catch (e) { if (!state.key || !fresh()) return; return show(h("h1", {}, t("title.districts")), errorBox(e)); }
    if (!fresh()) return;
    const r = cov.report;
    const num = (id, text, value, min) => h("label", { class: "field", for: id }, h("span", {}, text), h("input", { id, type: "number", min: String(min), value: String(value) }));
    const controls = h("form", { class: "card actions", onsubmit: (ev) => {
      ev.preventDefault();
      dstate.target = Math.max(1, Number(document.getElementById("target").value) || 20);
      dstate.branch = Math.max(1, Number(document.getElementById("branch").value) || 30);
      dstate.liaison = Math.max(1, Number(document.getElementById("liaison").value) || 5);
      pageDistricts();
    } }, num("target", t("dist.target"), dstate.target, 1), num("branch", t("pres.branch"), dstate.branch, 1),
        num("liaison", t("pres.liaison"), dstate.liaison, 1), h("button", { type: "submit" }, t("pres.apply")));
    const short = r.districts.filter((d) => d.shortfall > 0).sort((a, b) => b.shortfall - a.shortfall);
    const name = (d) => (window.I18N.getLang() === "en" && d.name_en ? d.name_en : d.name);
    const table = (id, caption, cols, rows) => h("table", { id }, h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, cols.map(([c, n]) => h("th", { scope: "col", class: n ? "num" : null }, c)))), h("tbody", {}, rows));
    const td = (v, n) => h("td", { class: n ? "num" : null }, v === null || v === undefined ? "" : String(v));
    const cpRows = [];
    cps.report.suggestions.forEach((sg, gi) => {
      if (!sg.candidates.length) cpRows.push(h("tr", { "data-group": String(gi) }, td(sg.society_name), h("td", { class: "muted" }, t("cp.noCandidate")), td(""), td("")));
      sg.candidates.forEach((c, i) => cpRows.push(h("tr", { "data-group": String(gi), "data-text": sg.society_name }, td(i === 0 ? sg.society_name : ""), td(c.national_name), td(c.score.toFixed(2), true),
        h("td", {}, h("ul", { class: "reasons" }, window.MSG.fieldList(c, "reasons").map((x) => h("li", {}, x)))))));
    });
    const st = cps.report.stats;
    show(
      h("h1", {}, t("title.districts")),
      h("p", { class: "muted" }, t("dist.intro", { t: r.target })),
      controls,
      h("div", { class: "summary" },
        h("div", { class: "stat" }, t("dist.districts"), h("b", {}, String(r.districts.length))),
        h("div", { class: "stat" }, t("dist.average"), h("b", { "data-testid": "average" }, r.average.toFixed(1) + " / " + r.target)),
        h("div", { class: "stat" }, t("dist.meets"), h("b", {}, r.average_exceeds_target ? t("yes") : t("no"))),
        h("div", { class: "stat" }, t("dist.short"), h("b", { "data-testid": "short-districts" }, String(r.short_districts ?? short.length))),
        h("div", { class: "stat" }, t("dist.totalGap"), h("b", { "data-testid": "total-shortfall" }, String(r.total_shortfall ?? short.reduce((a, d) => a + d.shortfall, 0)))),
        h("div", { class: "stat" }, t("dist.needed"), h("b", { "data-testid": "average-needed" }, String(r.presences_needed)))),
      h("p", { class: "muted" }, t("dist.neededNote", { t: r.target })),
      h("section", { class: "card chart", "aria-labelledby": "chart-h" }, h("h2", { id: "chart-h" }, t("dist.chart")), coverageChart(r.districts, r.target, name),
        h("div", { class: "legend", "data-testid": "chart-legend" },
          h("span", {}, h("i", { class: "sq met" }), t("dist.legendMet", { t: r.target })),
          h("span", {}, h("i", { class: "sq short" }), t("dist.legendShort", { t: r.target })),
          h("span", {}, h("i", { class: "line target" }), t("dist.legendTarget", { t: r.target })))),
      h("section", { class: "card", "aria-labelledby": "short-h" }, h("h2", { id: "short-h" }, t("dist.shortfall") + `（${short.length}）`),
        short.length ? h("div", { class: "table-wrap" }, table("shortfall", t("dist.shortfall"), [[t("dist.district")], [t("dist.societies"), 1], [t("dist.branches"), 1], [t("dist.liaisons"), 1], [t("dist.seated"), 1], [t("dist.gap"), 1], [t("dist.scientists"), 1]],
          short.map((d) => h("tr", { "data-code": d.code }, td(name(d)), td(d.societies, 1), td(d.branches, 1), td(d.liaison_offices, 1), td(d.district_societies, 1), td(d.shortfall, 1), td(d.scientists, 1)))))
          : h("p", {}, t("dist.allMet"))),
      h("section", { class: "card", "aria-labelledby": "pres-h" }, h("h2", { id: "pres-h" }, t("pres.heading")),
        pres.report.suggestions.length ? paged("presence", table("presence", t("pres.heading"), [[t("pres.society")], [t("dist.district")], [t("pres.action")], [t("pres.members"), 1], [t("pres.field"), 1], [t("pres.closes")], [t("pres.reasons")]],
          pres.report.suggestions.map((x) => h("tr", { "data-district": x.district, "data-action": x.action }, td(x.society_name), td(districtName(x.district) || x.district_name), td(label("action", x.action)), td(x.members, 1), td(x.field_scientists, 1),
            td(x.closes_gap ? t("yes") : t("no")), h("td", {}, h("ul", { class: "reasons" }, window.MSG.fieldList(x, "reasons").map((y) => h("li", {}, y))))))),
            { districts: [...new Set(pres.report.suggestions.map((x) => x.district))].map((c) => [c, districtName(c)]), actions: [...new Set(pres.report.suggestions.map((x) => x.action))] })
          : h("p", { class: "muted" }, t("pres.none"))),
      h("section", { class: "card", "aria-labelledby": "cp-h" }, h("h2", { id: "cp-h" }, t("cp.heading")),
        h("p", { class: "muted" }, t("cp.stats", { s: st.societies, w: st.with_counterpart, n: st.national_societies })),
        cpRows.length ? paged("counterparts", table("counterparts", t("cp.heading"), [[t("cp.society")], [t("cp.candidate")], [t("cp.score"), 1], [t("cp.reasons")]], cpRows), {}) : h("p", { class: "muted" }, t("cp.none"))));
  }

  /* Horizontal bars, most societies first: one row per district, so all names stay readable;
     green at or above the target, blue below it, the target as a dashed red line. */
  function coverageChart(districts, target, name) {
    const NS = "http://www.w3.org/2000/svg";
    const mk = (tag, attrs, parent, text) => { const e = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; if (parent) parent.appendChild(e); return e; };
    const sorted = [...districts].sort((a, b) => b.societies - a.societies || name(a).localeCompare(name(b)));
    const ROW = 22, W = 760, L = 170, R = 60, T = 26, B = 10, H = T + B + ROW * sorted.length;
    const max = Math.max(target, ...sorted.map((d) => d.societies), 1) * 1.05;
    const x = (v) => L + (W - L - R) * (v / max);
    const svg = mk("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "data-testid": "coverage-chart" });
    mk("title", {}, svg, t("dist.chartDesc", { n: districts.length, t: target }));
    svg.setAttribute("aria-label", t("dist.chartDesc", { n: districts.length, t: target }));
    const step = Math.max(1, Math.ceil(max / 5 / 5) * 5);
    for (let v = 0; v <= max; v += step) {
      mk("line", { x1: x(v), x2: x(v), y1: T - 4, y2: H - B, stroke: "#e3e8ee" }, svg);
      mk("text", { x: x(v), y: T - 10, "text-anchor": "middle", "font-size": "11", fill: "#5b6776" }, svg, String(v));
    }
    sorted.forEach((d, i) => {
      const y = T + i * ROW, met = d.societies >= target;
      const g = mk("g", { class: "bar-group", "data-code": d.code, "data-value": String(d.societies) }, svg);
      mk("title", {}, g, `${name(d)}: ${d.societies} / ${target}` + (d.shortfall ? ` · ${t("dist.gap")} ${d.shortfall}` : ""));
      mk("text", { x: L - 8, y: y + ROW * 0.68, "text-anchor": "end", "font-size": "13", fill: "#1d2733", class: "bar-label" }, g, name(d));
      mk("rect", { class: "cov-bar " + (met ? "met" : "short"), x: L, y: (y + 4).toFixed(1), width: Math.max(0, x(d.societies) - L).toFixed(1), height: ROW - 8,
                   fill: met ? "#23805a" : "#1f5fa8", rx: "2", "data-value": String(d.societies) }, g);
      mk("text", { x: (x(d.societies) + 5).toFixed(1), y: y + ROW * 0.68, "font-size": "12", "font-weight": "600", fill: "#1d2733" }, g, String(d.societies));
    });
    mk("line", { x1: x(target), x2: x(target), y1: T - 4, y2: H - B, stroke: "#b4232a", "stroke-width": "2", "stroke-dasharray": "6 4", "data-testid": "target-line", "data-value": String(target) }, svg);
    return svg;
  }

  /* A long table with a text filter, optional district / action filters and pages of 20 rows
     (rows sharing data-group stay on one page). */
  function paged(id, table, opts) {
    const SIZE = 20;
    const rows = [...table.tBodies[0].rows];
    const groups = [];
    rows.forEach((r) => { const g = r.dataset.group; const last = groups[groups.length - 1];
      if (g !== undefined && last && last.key === g) last.rows.push(r); else groups.push({ key: g, rows: [r] }); });
    const q = h("input", { type: "search", id: id + "-filter", placeholder: t("table.filter"), "aria-label": t("table.filter") });
    const dsel = opts.districts ? h("select", { id: id + "-district", "aria-label": t("dist.district") }, h("option", { value: "" }, t("search.anyDistrict")),
      opts.districts.sort((a, b) => a[1].localeCompare(b[1])).map(([c, n]) => h("option", { value: c }, n))) : null;
    const asel = opts.actions ? h("select", { id: id + "-action", "aria-label": t("pres.action") }, h("option", { value: "" }, t("table.anyAction")),
      opts.actions.map((a) => h("option", { value: a }, label("action", a)))) : null;
    const info = h("span", { class: "muted", "data-testid": id + "-page" });
    const prev = h("button", { type: "button", class: "secondary small", "data-action": "prev" }, "‹ " + t("table.prev"));
    const next = h("button", { type: "button", class: "secondary small", "data-action": "next" }, t("table.next") + " ›");
    let page = 0;
    const draw = () => {
      const needle = q.value.trim().toLowerCase();
      const keep = groups.filter((g) => g.rows.some((r) => (!needle || r.textContent.toLowerCase().includes(needle) || (r.dataset.text || "").toLowerCase().includes(needle))
        && (!dsel || !dsel.value || r.dataset.district === dsel.value) && (!asel || !asel.value || r.dataset.action === asel.value)));
      const pages = Math.max(1, Math.ceil(keep.length / SIZE));
      page = Math.min(page, pages - 1);
      const shown = new Set(keep.slice(page * SIZE, page * SIZE + SIZE).flatMap((g) => g.rows));
      rows.forEach((r) => { r.hidden = !shown.has(r); });
      info.textContent = t("table.page", { p: page + 1, n: pages, rows: keep.length });
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
    };
    q.addEventListener("input", () => { page = 0; draw(); });
    if (dsel) dsel.addEventListener("change", () => { page = 0; draw(); });
    if (asel) asel.addEventListener("change", () => { page = 0; draw(); });
    prev.addEventListener("click", () => { page -= 1; draw(); });
    next.addEventListener("click", () => { page += 1; draw(); });
    draw();
    return h("div", { class: "paged", id: id + "-box" }, h("div", { class: "actions table-tools" }, q, dsel, asel), h("div", { class: "table-wrap" }, table),
      h("div", { class: "actions pager" }, prev, info, next));
  }

  /* What the team and panel pages (formation.js) use of this app. */
  function ctx() {
    return { h, api, ApiError, show, announce, errorBox, describe, bar, pct, downloadCsv, districtName, go, csvCell,
             downloadXlsx, orgPicker, canContact: () => Boolean(state.session && state.session.scopes.includes("contact")),
             setUrl: (path) => { if (location.pathname + location.search !== path) history.pushState({}, "", path); },
             isCurrent: (path) => (location.pathname.replace(/\/+$/, "") || "/ui") === path, signedIn: () => Boolean(state.key) };
  }

  /* Download a saved team, panel or consortium as an Excel meeting sheet (the key goes in a header,
     so the file is fetched and handed to the browser as a blob). */
  async function downloadXlsx(plural, id) {
    const resp = await fetch(`/v1/${plural}/${encodeURIComponent(id)}/export.xlsx?lang=${window.I18N.getLang()}`, { headers: { "X-API-Key": state.key || "" } });
    if (!resp.ok) { const body = await resp.json().catch(() => null); throw new ApiError(resp.status, body); }
    const url = URL.createObjectURL(await resp.blob());
    const a = h("a", { href: url, download: `${id}.xlsx` });
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  /* A type-ahead picker of organisations by name (GET /v1/organisations): the staff type part of
     a Chinese or English name and choose; the id travels in data, never typed or shown.
     opts: {id, kind, value: {id, name}, onPick(org|null), describedBy, invalid} */
  function orgPicker(opts) {
    const listId = opts.id + "-list";
    const input = h("input", { id: opts.id, type: "text", autocomplete: "off", spellcheck: "false", role: "combobox", maxlength: "100",
                               "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId, placeholder: t("org.placeholder"),
                               "aria-describedby": opts.describedBy || null, "aria-invalid": opts.invalid ? "true" : null });
    const list = h("ul", { id: listId, class: "typeahead", role: "listbox", hidden: true });
    const wrap = h("div", { class: "picker" }, input, list);
    let picked = opts.value && opts.value.id ? opts.value : null, timer = null, items = [], active = -1, ask = 0;
    input.value = picked ? picked.name : "";
    if (picked) input.dataset.id = picked.id;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; };
    const choose = (o) => { picked = o; input.value = o.name; input.dataset.id = o.id; close(); opts.onPick(o); };
    const draw = () => {
      while (list.firstChild) list.removeChild(list.firstChild);
      if (!items.length) { list.appendChild(h("li", { class: "muted", role: "option", "aria-disabled": "true" }, t("org.none"))); }
      items.forEach((o, i) => list.appendChild(h("li", { id: `${listId}-${i}`, role: "option", "data-id": o.id, "aria-selected": i === active ? "true" : "false",
        onmousedown: (ev) => { ev.preventDefault(); choose(o); } },
        h("b", {}, window.I18N.getLang() === "en" && o.name_en ? o.name_en : o.name), " ",
        h("span", { class: "muted" }, [label("kind", o.kind), o.district_name].filter(Boolean).join(" · ")))));
      list.hidden = false; input.setAttribute("aria-expanded", "true");
      if (active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
    };
    input.addEventListener("input", () => {
      if (picked) { picked = null; delete input.dataset.id; opts.onPick(null); }
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(async () => {
        const my = ++ask;
        try {
          const res = await api(`/v1/organisations?q=${encodeURIComponent(q)}${opts.kind ? "&kind=" + opts.kind : ""}&limit=8`);
          if (my !== ask) return;
          items = res.data; active = items.length ? 0 : -1; draw();
        } catch (e) { close(); }
      }, 180);
    });
    input.addEventListener("keydown", (ev) => {
      if (list.hidden || !items.length) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); active = (active + 1) % items.length; draw(); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); active = (active - 1 + items.length) % items.length; draw(); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(items[active]); }
      else if (ev.key === "Escape") close();
    });
    input.addEventListener("blur", () => setTimeout(close, 120));
    return { el: wrap, input, value: () => picked };
  }

  // ---------- boot ----------------------------------------------------------------------------
  /* Printing shows every reason: folded details open for the print and fold back after. */
  let opened = [];
  window.addEventListener("beforeprint", () => { opened = [...document.querySelectorAll("details:not([open])")]; opened.forEach((d) => d.setAttribute("open", "")); });
  window.addEventListener("afterprint", () => { opened.forEach((d) => d.removeAttribute("open")); opened = []; });
  document.getElementById("logout").addEventListener("click", () => { logout(true); go("/ui/login"); });
  document.getElementById("lang").addEventListener("click", () => {
    window.I18N.setLang(window.I18N.getLang() === "zh" ? "en" : "zh");
    render(false);
  });
  render(false);
})();
