/* The server's sentences, rendered from their codes in Chinese (default) or English.

   The API sends every check, reason and piece of advice as English text *and*, beside it, a code
   with parameters (`reasons` + `reasons_codes`, `detail` + `detail_code`, …; api/messages.py).
   MSG.render({code, params}) turns a code into a sentence of the page's language; names of
   people, institutions and disciplines come from MSG.names (pages register what they know) so
   no internal id is shown. A code without a template falls back to the English text.
   tests/unit/test_message_catalogue.py checks that every code the server can send has both
   languages here. */
"use strict";
(function () {
  const I = () => window.I18N;
  const zh = () => I().getLang() === "zh";
  const names = {};           // id -> {zh, en}
  function register(id, name, nameEn) {
    if (!id || !name) return;
    names[id] = { zh: name, en: nameEn || name };
  }
  function nm(id) {
    if (id === null || id === undefined) return "";
    const n = names[id];
    if (n) return zh() ? n.zh : n.en;
    return String(id);
  }
  const sep = () => (zh() ? "、" : ", ");
  const list = (xs, f) => (xs || []).map(f || ((x) => String(x))).join(sep());
  const people = (ids) => list(ids, nm);

  const ATTR = {
    zh: { grade: "会员等级", is_young: "青年专家", sector: "所属领域", institution: "单位", discipline: "学科" },
    en: { grade: "member grade", is_young: "young experts", sector: "sector", institution: "institution", discipline: "discipline" },
  };
  function attr(a) { return (zh() ? ATTR.zh : ATTR.en)[a] || a; }
  function value(a, v) {
    if (a === "grade") return I().label("grade", v);
    if (a === "sector") return I().label("sector", v);
    if (a === "is_young") return v === "True" || v === true ? (zh() ? "是" : "yes") : (zh() ? "否" : "no");
    if (a === "institution") return nm(v);
    return String(v);
  }
  /* An exclusion reason: a code (once the server sends one) or an English sentence that the
     page's own translator (formation.js registers it) may know. */
  let reasonText = (s) => String(s);
  function why(r) { return r && typeof r === "object" && r.code ? render(r) : reasonText(r); }
  const excluded = (p) => (p.candidates || []).map((c, i) => nm(c) + (p.reasons && p.reasons[i] ? "（" + why(p.reasons[i]) + "）" : "")).join(sep());
  const pct2 = (x) => (typeof x === "number" ? x.toFixed(2) : String(x));
  const kinds = (ks) => list(ks, (k) => I().label("kind", k));
  const discs = (ds) => list(ds, (d) => (d && d.name ? d.name : String(d)));
  /* Conflict-of-interest ties (coi.*): who the tie is with, the periods and the window. */
  const coiWho = (p) => (p.applicant ? (zh() ? "申报人" : "applicant ") : "") + (p.name || "");
  const years = (a, b) => `${a || "?"}–${b || (zh() ? "至今" : "now")}`;
  const coiWindow = (p) => (p.within ? (zh() ? `${p.window} 年内` : `within ${p.window} years`)
                                     : (zh() ? `超出 ${p.window} 年回避期` : `outside the ${p.window}-year window`));

  const T = {
    zh: {
      "text": (p) => p.text,
      // exclusion reasons of a candidate
      "why.request_coi": () => "需求方要求回避（利益冲突）",
      "why.coi": (p) => `与${people(p.organisations)}存在利益冲突（本单位人员或已申报冲突）`,
      "why.outside_districts": (p) => "不在所选区县工作：" + people(p.districts),
      "why.institution_kind": (p) => "单位类型不符：" + kinds(p.kinds),
      "why.institution_not_listed": () => "不在指定单位之列",
      "why.grade_below": (p) => `会员等级${p.grade ? I().label("grade", p.grade) : "（无）"}低于${I().label("grade", p.min)}`,
      "why.talent_kinds": (p) => "不属于所选人才类别：" + list(p.kinds, (k) => I().label("talent", k)),
      "why.age_unknown": () => "年龄不详",
      "why.age_below": (p) => `${p.age} 岁，低于 ${p.min} 岁`,
      "why.age_above": (p) => `${p.age} 岁，超过 ${p.max} 岁`,
      "why.availability": (p) => "当前状态：" + I().label("avail", p.availability),
      "why.load": (p) => `在办服务队已达 ${p.active} 个（上限 ${p.limit}）`,
      "why.staff": () => "工作人员排除",
      "why.declined": (p) => "曾谢绝本需求" + ((p.teams || []).length ? "（已有方案）" : ""),
      // consortium
      "consortium.tie": (p) => [p.counterpart ? "对口关系" : "", p.shared_people ? `${p.shared_people} 位共同成员` + ((p.examples || []).length ? "（" + list(p.examples) + "）" : "") : "", p.joint_evidence ? `${p.joint_evidence} 项合作成果` : ""].filter(Boolean).join("；"),
      "consortium.contribution": (p) => [(p.disciplines || []).length ? (p.alone ? "独家覆盖" : "覆盖") + list(p.disciplines) : "", (p.kinds || []).length ? "唯一的" + kinds(p.kinds) : "", (p.experts || []).length ? "专家：" + (p.experts || []).map(([n, sc]) => `${n} ${pct2(sc)}`).join(sep()) : "", (p.ties || []).length ? "与" + list(p.ties) + "有合作" : ""].filter(Boolean).join("；") || "相关度",
      // checks
      "check.allowed": () => "全部成员均可推荐",
      "check.not_allowed": (p) => "不可推荐：" + excluded(p),
      "check.locked_in": (p) => `已锁定的 ${p.count} 人均在其中`,
      "check.all_locked_in": () => "已锁定的成员均在其中",
      "check.locked_missing": (p) => "锁定但未入选：" + people(p.candidates),
      "check.team_size": (p) => `${p.have} 人；要求 ${p.min}–${p.max} 人`,
      "check.skill_coverage": (p) => `覆盖 ${p.covered}/${p.total} 项技能` + (p.missing && p.missing.length ? "；未覆盖：" + list(p.missing) : ""),
      "check.min_senior": (p) => `资深专家 ${p.have} 人；至少需要 ${p.need} 人`,
      "check.no_cap": () => "不限单位人数",
      "check.per_institution": (p) => `同一单位最多 ${p.have} 人；上限 ${p.cap} 人` + (p.over && Object.keys(p.over).length ? "；超出：" + Object.entries(p.over).map(([k, v]) => `${nm(k)} ${v} 人`).join(sep()) : ""),
      "check.panel_size": (p) => `${p.have} 人；要求 ${p.need} 人`,
      "check.quota": (p) => `${p.have} 人；要求 ${render(p.need)}`,
      "check.quota_distinct": (p) => `${p.have} 个不同取值；要求 ${render(p.need)}`,
      "check.quota_per_value": (p) => `同一${attr(p.attribute)}最多 ${p.have} 人` + (p.value ? `（${value(p.attribute, p.value)}）` : "") + `；要求 ${render(p.need)}`,
      "check.orgs_not_allowed": (p) => "不可纳入：" + people(p.organisations),
      "check.consortium_size": (p) => `${p.have} 家；要求 ${p.min}–${p.max} 家`,
      "check.discipline_coverage": (p) => `覆盖 ${p.covered}/${p.total} 个学科` + (p.missing && p.missing.length ? "；未覆盖：" + list(p.missing, nm) : ""),
      "check.org_kind": (p) => `${kinds(p.kinds)} ${p.have} 家；至少 1 家`,
      "check.no_forbidden_pair": () => "没有回避或非候选的配对",
      "check.forbidden_pairs": (p) => "回避或非候选的配对：" + (p.pairs || []).map(([d, e]) => `${nm(d)}–${nm(e)}`).join(sep()),
      "check.capacity_ok": () => "所有专家的任务量均在上限内",
      "check.over_capacity": (p) => "超出任务上限：" + people(p.candidates),
      "check.batch_sizes_ok": () => "已配队的需求人数均在范围内",
      "check.batch_bad_sizes": (p) => "人数不符合要求的需求：" + people(p.demands),
      // evaluation panels and review rounds: conflicts of interest with their evidence
      "coi.applicant": () => "本项目申报人",
      "coi.coauthor": (p) => `与${coiWho(p)}合作《${p.title}》（${p.year || "年份未注明"}；${coiWindow(p)}）`,
      "coi.institution": (p) => `曾与${coiWho(p)}同在${p.org}工作（申报人 ${years(p.a_from, p.a_to)}，评审专家 ${years(p.c_from, p.c_to)}；共事至 ${p.until} 年；${coiWindow(p)}）`,
      "coi.service": (p) => `与${coiWho(p)}同在已确认的服务队或专家组 ${p.formation}（${p.year}；${coiWindow(p)}）`,
      "coi.declared": (p) => `与${coiWho(p)}有申报的利益冲突` + (p.reason ? "：" + p.reason : ""),
      "coi.organisation": (p) => `任职于推荐单位${p.org}`,
      "coi.society_council": (p) => `与${coiWho(p)}同为${p.society}理事会成员`,
      "coi.district": (p) => `与${coiWho(p)}同在${p.district}`,
      "coi.other": (p) => `与${coiWho(p)}存在关联（${p.kind}）`,
      "check.independent": (p) => `成员均与本项目无利益冲突（回避 ${p.excluded} 人）`,
      "check.k_per_item": (p) => `${p.have}/${p.total} 个项目已配齐评审专家` + (p.short && Object.keys(p.short).length ? "；缺额：" + Object.entries(p.short).map(([k, v]) => `${k} 缺 ${v} 人`).join(sep()) : ""),
      "check.max_load": (p) => `每位专家最多评审 ${p.have} 项（上限 ${p.limit} 项）` + ((p.over || []).length ? "；超出：" + people(p.over) : ""),
      "check.no_conflict": (p) => `有利益冲突的分配 ${p.count} 对`,
      // quota rules
      "quota.min": (p) => `${attr(p.attribute)}为${list(p.values, (v) => value(p.attribute, v))}的至少 ${p.count} 人`,
      "quota.max": (p) => `${attr(p.attribute)}为${list(p.values, (v) => value(p.attribute, v))}的至多 ${p.count} 人`,
      "quota.min_distinct": (p) => `至少 ${p.count} 个不同的${attr(p.attribute)}`,
      "quota.max_per_value": (p) => `同一${attr(p.attribute)}至多 ${p.count} 人`,
      // team infeasibility
      "team.holders_excluded": (p) => `${(p.candidates || []).length} 位具备该技能的候选人被排除：` + excluded(p),
      "team.no_holder": () => "候选池中无人具备该技能",
      "team.locked_not_allowed": (p) => `锁定的 ${nm(p.candidate)} 不可推荐（${why(p.reason)}）`,
      "team.too_many_locked": (p) => `锁定了 ${p.locked} 人，但人数上限为 ${p.max}`,
      "team.skill_uncovered": (p) => `没有可推荐的候选人具备技能“${p.skill}”（${render(p.holders)}）`,
      "team.too_few_allowed": (p) => `可推荐的候选人只有 ${p.have} 位；人数下限为 ${p.need}`,
      "team.too_few_senior": (p) => `可推荐的资深候选人只有 ${p.have} 位；要求 ${p.need} 位`,
      "team.senior_over_size": (p) => `资深人数要求 ${p.need} 超过了人数上限 ${p.max}`,
      "team.institution_cap_too_tight": (p) => `每个单位至多 ${p.cap} 人 × ${p.institutions} 个单位只能组成 ${p.allows} 人；人数下限为 ${p.need}`,
      "team.locked_over_cap": (p) => `锁定的 ${p.locked} 人来自${nm(p.institution)}；单位上限为 ${p.cap}`,
      "team.constraints_conflict": (p) => "以下约束无法同时满足：" + (p.parts || []).map(render).join("；"),
      "team.no_team": () => "没有满足全部约束的服务队",
      "part.cover_skill": (p) => `覆盖技能“${p.skill}”（可推荐者：${people(p.candidates)}）`,
      "part.keep_locked": (p) => `保留锁定的 ${nm(p.candidate)}`,
      "part.at_least_members": (p) => `至少 ${p.count} 人`,
      "part.at_most_members": (p) => `至多 ${p.count} 人`,
      "part.at_least_senior": (p) => `至少 ${p.count} 位资深专家`,
      "part.per_institution": (p) => `每个单位至多 ${p.count} 人`,
      "swap.locked": (p) => `${nm(p.candidate)} 已被锁定`,
      "swap.no_replacement": (p) => `没有可推荐的候选人能替换 ${nm(p.candidate)} 而不违反硬约束`,
      "swap.without": (p) => `去掉 ${nm(p.candidate)} 后：${render(p.detail)}`,
      // panel infeasibility
      "panel.quota_over_size": (p) => `配额“${render(p.rule)}”所需人数超过专家组规模 ${p.size}`,
      "panel.quota_too_few_match": (p) => `配额“${render(p.rule)}”在 ${p.size} 人的专家组中无法满足：符合条件的可推荐候选人只有 ${p.have} 位` + ((p.candidates || []).length ? "（被排除：" + excluded(p) + "）" : ""),
      "panel.quota_too_few_outside": (p) => `配额“${render(p.rule)}”无法满足：其余可推荐候选人只有 ${p.have} 位，需要 ${p.need} 位`,
      "panel.quota_too_few_distinct": (p) => `配额“${render(p.rule)}”无法满足：候选池只有 ${p.have} 个不同取值`,
      "panel.quota_cannot_span": (p) => `配额“${render(p.rule)}”无法在 ${p.size} 人中满足`,
      "panel.quota_groups_too_large": (p) => `配额“${render(p.rule)}”无法满足：最大的几个组之外可推荐的候选人太少`,
      "panel.quotas_conflict": (p) => `配额 ${(p.rules || []).map((r) => "“" + render(r) + "”").join("与")} 在 ${p.size} 人的专家组中无法同时满足`,
      "panel.too_few_allowed": (p) => `可推荐的候选人只有 ${p.have} 位；专家组需要 ${p.size} 人`,
      "panel.locked_not_allowed": (p) => `锁定的 ${nm(p.candidate)} 不可推荐（${why(p.reason)}）`,
      "panel.too_many_locked": (p) => `锁定了 ${p.locked} 人，超过专家组规模 ${p.size}`,
      "panel.size_and_locks": () => "专家组规模与锁定人选无法同时满足",
      // consortium infeasibility
      "consortium.discipline_uncovered": (p) => `没有可纳入的机构覆盖学科“${nm(p.discipline)}”` + ((p.organisations || []).length ? "（被排除：" + people(p.organisations) + "）" : ""),
      "consortium.no_kind": (p) => `没有可纳入的${kinds(p.kinds)}`,
      "consortium.too_few_allowed": (p) => `可纳入的机构只有 ${p.have} 家；至少需要 ${p.need} 家`,
      "consortium.requirements_conflict": (p) => "以下要求无法同时满足：" + list(p.requirements),
      "lottery.caps_too_low": (p) => `入选概率上限只能保证约 ${p.expected} 人入选；专家组需要 ${p.size} 人`,
      "lottery.no_distribution": (p) => `在入选概率上限下无法轮换：配额过于依赖少数专家（缺口 ${p.shortfall}）`,
      // advice: each names a control of the page
      "advice.unlock": (p) => `解除锁定 ${nm(p.candidate)}（成员旁的“锁定”）`,
      "advice.raise_k_max_or_unlock": () => "调高“最多人数”，或解除部分锁定",
      "advice.drop_skill_or_widen": (p) => `在“所需技能”中删去“${p.skill}”，或调大“候选池人数”`,
      "advice.drop_skill": (p) => `在“所需技能”中删去“${p.skill}”`,
      "advice.lower_k_min": () => "调低“最少人数”",
      "advice.raise_k_max": () => "调高“最多人数”",
      "advice.lower_min_senior": () => "调低“资深成员至少”",
      "advice.lower_min_senior_or_widen": () => "调低“资深成员至少”，或调大“候选池人数”",
      "advice.lower_min_senior_or_raise_k_max": () => "调低“资深成员至少”，或调高“最多人数”",
      "advice.raise_cap": () => "调高“同一单位至多”，或调大“候选池人数”",
      "advice.raise_cap_or_lower_k_min": () => "调高“同一单位至多”，或调低“最少人数”",
      "advice.unlock_or_raise_cap": () => "解除一位成员的锁定，或调高“同一单位至多”",
      "advice.widen_pool": () => "调大“候选池人数”，或放宽约束",
      "advice.relax_constraints": () => "放宽约束",
      "advice.widen_pool_or_size": () => "调整“专家组人数”，或勾选“配额冲突时放宽”",
      "advice.relax_quota_or_widen": (p) => `降低配额“${p.quota}”，或勾选“配额冲突时放宽”让系统降到候选池允许的数值`,
      "advice.relax_one_of": (p) => `降低其中一项配额（${list(p.quotas)}），或勾选“配额冲突时放宽”`,
      "advice.drop_discipline": (p) => `删去学科“${nm(p.discipline)}”，或扩大主题`,
      "advice.add_kind": (p) => `纳入一家${kinds(p.kinds)}`,
      "advice.lower_min_size": () => "调低“最少机构数”",
      "advice.raise_max_size_or_drop": (p) => "调高“最多机构数”，或删去一项要求：" + list(p.requirements),
      "advice.raise_q_or_widen": () => "调高“抽签上限 q”",
      "advice.raise_q_relax_or_widen": () => "调高“抽签上限 q”，或勾选“配额冲突时放宽”",
      // analytics
      "presence.reach": (p) => `${p.reach} 位会员在${p.district_name}工作（会员 ${p.members} 人，本学科 ${p.field_scientists} 人），达到${p.kind === "branch" ? "分支机构" : "联络处"}门槛 ${p.threshold}`,
      "presence.has_liaison": () => "在当地已有联络处",
      "presence.none_yet": () => "在当地尚无机构",
      "presence.below_branch": (p) => `未达到分支机构门槛 ${p.threshold}`,
      "presence.district_short": (p) => `${p.district_name}现有 ${p.societies} 个学会，目标 ${p.target} 个（缺 ${p.shortfall} 个）` + (p.closes ? "；此举有助于补齐" : ""),
      "presence.district_meets": (p) => `${p.district_name}已达到目标（${p.societies} ≥ ${p.target}）`,
      "presence.upgrade_same_count": () => "升格不改变该区县的学会数",
      "counterpart.shared_disciplines": (p) => "共同学科：" + discs(p.disciplines),
      "counterpart.same_field": (p) => "同属一级学科：" + (p.pairs || []).map(([a, b]) => `${a.name}～${b.name}`).join(sep()),
      "counterpart.discipline_overlap": (p) => `学科重合度 ${pct2(p.value)} × 权重 ${pct2(p.weight)}`,
      "counterpart.embedding": (p) => `名称与学科的语义相似度 ${pct2(p.value)} × 权重 ${pct2(p.weight)}`,
      "counterpart.name_overlap": (p) => `名称字面重合度 ${pct2(p.value)} × 权重 ${pct2(p.weight)}`,
      "counterpart.already_paired": (p) => "已与以下学会对口：" + list(p.societies),
    },
    en: {
      "text": (p) => p.text,
      "why.request_coi": () => "excluded by the request (conflict of interest)",
      "why.coi": (p) => `conflict of interest with ${people(p.organisations)} (staff or declared)`,
      "why.outside_districts": (p) => "works outside the districts " + people(p.districts),
      "why.institution_kind": (p) => "institution kind not in " + kinds(p.kinds),
      "why.institution_not_listed": () => "institution not in the requested list",
      "why.grade_below": (p) => `grade ${p.grade ? I().label("grade", p.grade) : "none"} below ${I().label("grade", p.min)}`,
      "why.talent_kinds": (p) => "none of the talent kinds " + list(p.kinds, (k) => I().label("talent", k)),
      "why.age_unknown": () => "age unknown",
      "why.age_below": (p) => `age ${p.age}, below ${p.min}`,
      "why.age_above": (p) => `age ${p.age}, above ${p.max}`,
      "why.availability": (p) => "availability: " + I().label("avail", p.availability),
      "why.load": (p) => `already on ${p.active} active teams (limit ${p.limit})`,
      "why.staff": () => "excluded by staff",
      "why.declined": () => "declined this demand before",
      "consortium.tie": (p) => [p.counterpart ? "counterpart" : "", p.shared_people ? `${p.shared_people} shared people` + ((p.examples || []).length ? " (" + list(p.examples) + ")" : "") : "", p.joint_evidence ? `${p.joint_evidence} joint evidence` : ""].filter(Boolean).join("; "),
      "consortium.contribution": (p) => [(p.disciplines || []).length ? (p.alone ? "alone brings " : "covers ") + list(p.disciplines) : "", (p.kinds || []).length ? "the only " + kinds(p.kinds) : "", (p.experts || []).length ? "experts: " + (p.experts || []).map(([n, sc]) => `${n} ${pct2(sc)}`).join(sep()) : "", (p.ties || []).length ? "ties with " + list(p.ties) : ""].filter(Boolean).join("; ") || "relevance",
      "check.allowed": () => "all members allowed",
      "check.not_allowed": (p) => "not allowed: " + excluded(p),
      "check.locked_in": (p) => `all ${p.count} locked members are in`,
      "check.all_locked_in": () => "all locked members are in",
      "check.locked_missing": (p) => "locked but missing: " + people(p.candidates),
      "check.team_size": (p) => `${p.have} members; need ${p.min}–${p.max}`,
      "check.skill_coverage": (p) => `${p.covered} of ${p.total} skills covered` + (p.missing && p.missing.length ? "; missing " + list(p.missing) : ""),
      "check.min_senior": (p) => `${p.have} senior; need at least ${p.need}`,
      "check.no_cap": () => "no cap per institution",
      "check.per_institution": (p) => `at most ${p.have} from one institution; cap ${p.cap}` + (p.over && Object.keys(p.over).length ? "; over: " + Object.entries(p.over).map(([k, v]) => `${nm(k)} ${v}`).join(sep()) : ""),
      "check.panel_size": (p) => `${p.have} members; need ${p.need}`,
      "check.quota": (p) => `${p.have} members; need ${render(p.need)}`,
      "check.quota_distinct": (p) => `${p.have} distinct; need ${render(p.need)}`,
      "check.quota_per_value": (p) => `at most ${p.have} share one ${attr(p.attribute)}` + (p.value ? ` (${value(p.attribute, p.value)})` : "") + `; need ${render(p.need)}`,
      "check.orgs_not_allowed": (p) => "not allowed: " + people(p.organisations),
      "check.consortium_size": (p) => `${p.have} organisations; need ${p.min}–${p.max}`,
      "check.discipline_coverage": (p) => `${p.covered} of ${p.total} disciplines covered` + (p.missing && p.missing.length ? "; missing " + list(p.missing, nm) : ""),
      "check.org_kind": (p) => `${p.have} of kind ${kinds(p.kinds)}; need at least 1`,
      "check.no_forbidden_pair": () => "no forbidden or non-candidate pair",
      "check.forbidden_pairs": (p) => "forbidden or non-candidate pairs: " + (p.pairs || []).map(([d, e]) => `${nm(d)}–${nm(e)}`).join(sep()),
      "check.capacity_ok": () => "all loads within capacity",
      "check.over_capacity": (p) => "over capacity: " + people(p.candidates),
      "check.batch_sizes_ok": () => "filled demands within size bounds",
      "check.batch_bad_sizes": (p) => "demands of a wrong size: " + people(p.demands),
      "coi.applicant": () => "is an applicant of this item",
      "coi.coauthor": (p) => `co-contributor with ${coiWho(p)} on “${p.title}” (${p.year || "undated"}; ${coiWindow(p)})`,
      "coi.institution": (p) => `worked at ${p.org} with ${coiWho(p)} (applicant ${years(p.a_from, p.a_to)}, reviewer ${years(p.c_from, p.c_to)}; together until ${p.until}; ${coiWindow(p)})`,
      "coi.service": (p) => `served with ${coiWho(p)} on confirmed team or panel ${p.formation} (${p.year}; ${coiWindow(p)})`,
      "coi.declared": (p) => `declared conflict with ${coiWho(p)}` + (p.reason ? ": " + p.reason : ""),
      "coi.organisation": (p) => `works at ${p.org}, which submits this item`,
      "coi.society_council": (p) => `on the council of ${p.society} with ${coiWho(p)}`,
      "coi.district": (p) => `in the same district (${p.district}) as ${coiWho(p)}`,
      "coi.other": (p) => `${p.kind} tie with ${coiWho(p)}`,
      "check.independent": (p) => `no member has a conflict with the item (${p.excluded} excluded)`,
      "check.k_per_item": (p) => `${p.have} of ${p.total} items have their reviewers` + (p.short && Object.keys(p.short).length ? "; short: " + Object.entries(p.short).map(([k, v]) => `${k} ${v}`).join(sep()) : ""),
      "check.max_load": (p) => `most items per reviewer ${p.have} (limit ${p.limit})` + ((p.over || []).length ? "; over: " + people(p.over) : ""),
      "check.no_conflict": (p) => `${p.count} conflicted pairs assigned`,
      "quota.min": (p) => `at least ${p.count} with ${attr(p.attribute)} ${list(p.values, (v) => value(p.attribute, v))}`,
      "quota.max": (p) => `at most ${p.count} with ${attr(p.attribute)} ${list(p.values, (v) => value(p.attribute, v))}`,
      "quota.min_distinct": (p) => `at least ${p.count} distinct ${attr(p.attribute)} values`,
      "quota.max_per_value": (p) => `at most ${p.count} per ${attr(p.attribute)}`,
      "team.holders_excluded": (p) => `${(p.candidates || []).length} holders excluded: ` + excluded(p),
      "team.no_holder": () => "no candidate in the pool has it",
      "team.locked_not_allowed": (p) => `locked candidate ${nm(p.candidate)} is not allowed (${why(p.reason)})`,
      "team.too_many_locked": (p) => `${p.locked} candidates are locked but the team has at most ${p.max}`,
      "team.skill_uncovered": (p) => `skill “${p.skill}” is covered by no allowed candidate (${render(p.holders)})`,
      "team.too_few_allowed": (p) => `only ${p.have} candidates allowed; need at least ${p.need}`,
      "team.too_few_senior": (p) => `only ${p.have} senior candidates allowed; need ${p.need}`,
      "team.senior_over_size": (p) => `${p.need} senior members asked for, but the team has at most ${p.max}`,
      "team.institution_cap_too_tight": (p) => `at most ${p.cap} per institution × ${p.institutions} institutions allows ${p.allows} members; need at least ${p.need}`,
      "team.locked_over_cap": (p) => `${p.locked} locked members from ${nm(p.institution)}; cap is ${p.cap}`,
      "team.constraints_conflict": (p) => "these constraints cannot hold together: " + (p.parts || []).map(render).join("; "),
      "team.no_team": () => "no team satisfies the constraints",
      "part.cover_skill": (p) => `cover skill “${p.skill}” (allowed holders: ${people(p.candidates)})`,
      "part.keep_locked": (p) => `keep ${nm(p.candidate)} locked`,
      "part.at_least_members": (p) => `at least ${p.count} members`,
      "part.at_most_members": (p) => `at most ${p.count} members`,
      "part.at_least_senior": (p) => `at least ${p.count} senior members`,
      "part.per_institution": (p) => `at most ${p.count} per institution`,
      "swap.locked": (p) => `${nm(p.candidate)} is locked in this team`,
      "swap.no_replacement": (p) => `no allowed candidate can replace ${nm(p.candidate)} without breaking a hard constraint`,
      "swap.without": (p) => `without ${nm(p.candidate)}: ${render(p.detail)}`,
      "panel.quota_over_size": (p) => `quota “${render(p.rule)}” needs more members than the panel of ${p.size} has`,
      "panel.quota_too_few_match": (p) => `quota “${render(p.rule)}” cannot be met in a panel of ${p.size}: only ${p.have} allowed candidates match` + ((p.candidates || []).length ? " (excluded: " + excluded(p) + ")" : ""),
      "panel.quota_too_few_outside": (p) => `quota “${render(p.rule)}” cannot be met: only ${p.have} allowed candidates fall outside it, ${p.need} needed`,
      "panel.quota_too_few_distinct": (p) => `quota “${render(p.rule)}” cannot be met: the pool has only ${p.have} distinct values`,
      "panel.quota_cannot_span": (p) => `quota “${render(p.rule)}” cannot be met by ${p.size} members`,
      "panel.quota_groups_too_large": (p) => `quota “${render(p.rule)}” cannot be met: too few allowed candidates outside the largest groups`,
      "panel.quotas_conflict": (p) => `quotas ${(p.rules || []).map((r) => "“" + render(r) + "”").join(" and ")} cannot be met together in a panel of ${p.size}`,
      "panel.too_few_allowed": (p) => `only ${p.have} candidates allowed; the panel needs ${p.size}`,
      "panel.locked_not_allowed": (p) => `locked candidate ${nm(p.candidate)} is not allowed (${why(p.reason)})`,
      "panel.too_many_locked": (p) => `${p.locked} locked members exceed the panel size ${p.size}`,
      "panel.size_and_locks": () => "panel size and locks cannot hold",
      "consortium.discipline_uncovered": (p) => `discipline “${nm(p.discipline)}” is covered by no allowed organisation` + ((p.organisations || []).length ? " (excluded: " + people(p.organisations) + ")" : ""),
      "consortium.no_kind": (p) => `no allowed organisation of kind ${kinds(p.kinds)}`,
      "consortium.too_few_allowed": (p) => `only ${p.have} organisations allowed; need ${p.need}`,
      "consortium.requirements_conflict": (p) => "these requirements cannot hold together: " + list(p.requirements),
      "lottery.caps_too_low": (p) => `selection caps allow only ${p.expected} expected members; the panel needs ${p.size}`,
      "lottery.no_distribution": (p) => `no rotation keeps every selection probability under the cap: the quotas lean on too few experts (shortfall ${p.shortfall})`,
      "advice.unlock": (p) => `unlock ${nm(p.candidate)} (“Lock” beside the member)`,
      "advice.raise_k_max_or_unlock": () => "raise “Most members”, or unlock some members",
      "advice.drop_skill_or_widen": (p) => `remove “${p.skill}” from “Skills needed”, or raise “Pool size”`,
      "advice.drop_skill": (p) => `remove “${p.skill}” from “Skills needed”`,
      "advice.lower_k_min": () => "lower “Fewest members”",
      "advice.raise_k_max": () => "raise “Most members”",
      "advice.lower_min_senior": () => "lower “Senior members at least”",
      "advice.lower_min_senior_or_widen": () => "lower “Senior members at least”, or raise “Pool size”",
      "advice.lower_min_senior_or_raise_k_max": () => "lower “Senior members at least”, or raise “Most members”",
      "advice.raise_cap": () => "raise “Per institution at most”, or raise “Pool size”",
      "advice.raise_cap_or_lower_k_min": () => "raise “Per institution at most”, or lower “Fewest members”",
      "advice.unlock_or_raise_cap": () => "unlock a member, or raise “Per institution at most”",
      "advice.widen_pool": () => "raise “Pool size”, or loosen the constraints",
      "advice.relax_constraints": () => "loosen the constraints",
      "advice.widen_pool_or_size": () => "change the panel size, or tick “Relax low-priority quotas”",
      "advice.relax_quota_or_widen": (p) => `lower quota “${p.quota}”, or tick “Relax low-priority quotas” to lower it to what the pool allows`,
      "advice.relax_one_of": (p) => `lower one of the quotas (${list(p.quotas)}), or tick “Relax low-priority quotas”`,
      "advice.drop_discipline": (p) => `drop discipline “${nm(p.discipline)}”, or widen the theme`,
      "advice.add_kind": (p) => `include an organisation of kind ${kinds(p.kinds)}`,
      "advice.lower_min_size": () => "lower “at least” organisations",
      "advice.raise_max_size_or_drop": (p) => "raise “at most” organisations, or drop one of: " + list(p.requirements),
      "advice.raise_q_or_widen": () => "raise the “Lottery cap q”",
      "advice.raise_q_relax_or_widen": () => "raise the “Lottery cap q”, or tick “Relax low-priority quotas”",
      "presence.reach": (p) => `${p.reach} of its scientists work in ${p.district_name} (${p.members} members, ${p.field_scientists} in its disciplines), at least the ${p.kind === "branch" ? "branch" : "liaison office"} threshold ${p.threshold}`,
      "presence.has_liaison": () => "it has a liaison office there",
      "presence.none_yet": () => "it has no presence there yet",
      "presence.below_branch": (p) => `below the branch threshold ${p.threshold}`,
      "presence.district_short": (p) => `${p.district_name} has ${p.societies} of ${p.target} societies (short by ${p.shortfall})` + (p.closes ? "; this helps close the gap" : ""),
      "presence.district_meets": (p) => `${p.district_name} already meets the target (${p.societies} ≥ ${p.target})`,
      "presence.upgrade_same_count": () => "an upgrade does not change the district's count",
      "counterpart.shared_disciplines": (p) => "shared disciplines: " + discs(p.disciplines),
      "counterpart.same_field": (p) => "same level-1 field: " + (p.pairs || []).map(([a, b]) => `${a.name} ~ ${b.name}`).join(sep()),
      "counterpart.discipline_overlap": (p) => `discipline overlap ${pct2(p.value)} × weight ${pct2(p.weight)}`,
      "counterpart.embedding": (p) => `semantic similarity of names and disciplines ${pct2(p.value)} × weight ${pct2(p.weight)}`,
      "counterpart.name_overlap": (p) => `literal name overlap ${pct2(p.value)} × weight ${pct2(p.weight)}`,
      "counterpart.already_paired": (p) => "already paired with " + list(p.societies),
    },
  };

  /* A sentence from {code, params}; `fallback` (the server's English text) when no template. */
  function render(c, fallback) {
    if (!c || typeof c !== "object") return fallback !== undefined ? String(fallback) : String(c || "");
    const f = (zh() ? T.zh : T.en)[c.code];
    if (!f) return fallback !== undefined ? String(fallback) : (c.params && c.params.text) || c.code;
    try { return f(c.params || {}); } catch (e) { console.warn("message", c.code, e); return fallback !== undefined ? String(fallback) : c.code; }
  }
  /* The i-th sentence of a field: its code when the server sent one, else the text. */
  function field(obj, key, i) {
    const codes = obj && obj[key + "_codes"];
    const texts = obj && obj[key];
    if (i === undefined) return obj && obj[key + "_code"] ? render(obj[key + "_code"], texts) : String(texts || "");
    return codes && codes[i] ? render(codes[i], texts && texts[i]) : String((texts && texts[i]) || "");
  }
  function fieldList(obj, key) { return ((obj && obj[key]) || []).map((_, i) => field(obj, key, i)); }

  /* Names of a response's `labels` ({id: {name, name_en}}), so sentences name people, not ids. */
  function registerAll(labels) { Object.entries(labels || {}).forEach(([id, x]) => register(id, x && x.name, x && x.name_en)); return labels; }

  window.MSG = { render, field, fieldList, register, registerAll, name: nm, CODES: T, why, setReasonText: (f) => { reasonText = f; } };
})();
