/* Every visible string of the staff web app, in Chinese (default) and English.
   t(key, vars) looks a key up in the current language; {name} placeholders are filled from vars. */
"use strict";
(function () {
  const STRINGS = {
    zh: {
      "app.name": "科协匹配", "title.search": "专家检索", "title.expert": "专家详情", "title.districts": "区县分析",
      "title.login": "登录", "title.notfound": "页面不存在",
      "skip": "跳到正文", "loading": "加载中…", "nav.label": "主导航", "nav.search": "专家检索", "nav.districts": "区县分析",
      "lang.switch": "English", "lang.switch.aria": "Switch to English",
      "logout": "退出登录", "whoami": "密钥：{name}", "scopes": "权限", "logged.out": "已退出登录",
      "login.heading": "科协匹配 · 工作人员登录",
      "login.intro": "请输入管理员发放的 API 密钥（以 kx_ 开头）。密钥只保存在本浏览器标签页中，关闭标签页即失效。",
      "login.key": "API 密钥", "login.submit": "登录", "login.checking": "正在验证密钥…",
      "login.invalid": "密钥无效或已被吊销，请检查后重试。", "login.empty": "请输入 API 密钥。",
      "login.failed": "无法连接服务：{detail}",
      "scope.read": "查询", "scope.write": "写入", "scope.contact": "联系方式", "scope.admin": "管理",
      "search.intro": "输入企业需求、课题或关键词（中英文均可），系统结合语义向量、中文全文检索、学科与图谱关系推荐专家，并说明理由。",
      "search.text": "需求或关键词", "search.placeholder": "例如：新能源汽车动力电池热管理与液冷仿真",
      "search.k": "返回人数", "search.district": "所在区县", "search.anyDistrict": "不限区县",
      "search.minGrade": "最低会员等级", "search.anyGrade": "不限等级", "search.ageMax": "年龄上限",
      "search.kind": "单位类型", "search.anyKind": "不限类型", "search.submit": "检索专家", "search.running": "正在检索…",
      "search.export": "导出 CSV", "search.count": "共 {n} 位专家", "search.none": "没有找到符合条件的专家。",
      "search.needText": "请输入需求或关键词。", "search.exported": "已导出 {n} 行",
      "result.score": "综合得分", "result.eligible": "可推荐", "result.ineligible": "不可推荐",
      "result.explain": "推荐理由", "result.components": "评分构成", "result.component": "维度",
      "result.value": "得分", "result.weight": "权重", "result.notUsed": "未计入",
      "result.evidence": "匹配的成果", "result.terms": "匹配词", "result.disciplines": "学科",
      "result.matchedDisc": "匹配学科", "result.inferred": "（需求学科由文本推断）",
      "result.societies": "学会与等级", "result.institution": "单位", "result.exclusions": "排除原因",
      "result.noEvidence": "没有匹配的成果。", "result.open": "查看详情", "result.load": "在办服务队 {a}/{m}",
      "result.contact": "联系方式",
      "comp.dense": "语义相似度", "comp.lexical": "关键词匹配", "comp.discipline": "学科匹配", "comp.graph": "图谱关系",
      "grade.student_member": "学生会员", "grade.member": "会员", "grade.senior_member": "高级会员", "grade.fellow": "会士",
      "role.president": "理事长", "role.vice_president": "副理事长", "role.secretary_general": "秘书长",
      "role.director": "理事", "role.member": "会员",
      "kind.enterprise": "企业", "kind.university": "高校", "kind.institute": "科研院所",
      "ev.publication": "论文", "ev.project": "项目", "ev.patent": "专利", "ev.standard": "标准", "ev.award": "奖励",
      "talent.strategic_scientist": "战略科学家", "talent.leading_talent": "科技领军人才", "talent.young_scientist": "青年科学家",
      "talent.overseas_scientist": "海外科学家", "talent.outstanding_engineer": "卓越工程师", "talent.enterprise_innovator": "企业创新人才",
      "avail.available": "可参与", "avail.limited": "时间有限", "avail.unavailable": "暂不可参与",
      "csv.rank": "排名", "csv.id": "专家编号", "csv.name": "姓名", "csv.score": "综合得分", "csv.eligible": "可推荐",
      "csv.title": "职称", "csv.institution": "单位", "csv.kind": "单位类型", "csv.district": "区县", "csv.societies": "学会（等级）",
      "csv.disciplines": "学科", "csv.terms": "匹配词", "csv.evidence": "匹配成果", "csv.exclusions": "排除原因",
      "yes": "是", "no": "否", "none": "无", "back": "返回检索",
      "expert.notFound": "没有编号为 {id} 的专家。", "expert.born": "{y} 年生", "expert.district": "区县",
      "expert.evidence": "成果（{n}）", "expert.societies": "学会与会员等级", "expert.affiliations": "工作单位",
      "expert.disciplines": "研究学科", "expert.coauthors": "合作者", "expert.graph": "关系图谱",
      "expert.graphDesc": "{name} 的关系图谱：{n} 个节点，包括合作者、学会、单位和学科。",
      "expert.shared": "合作成果 {n} 项", "expert.current": "现任", "expert.former": "曾任", "expert.kind": "类型",
      "expert.year": "年份", "expert.titleCol": "题目", "expert.grade": "等级", "expert.role": "职务", "expert.society": "学会",
      "expert.org": "单位", "expert.position": "职务/职称",
      "legend.scientist": "本人", "legend.coauthor": "合作者", "legend.society": "学会", "legend.org": "单位", "legend.discipline": "学科",
      "dist.intro": "依据政策第 3 条：各区县平均覆盖学会数应超过 {t} 个。下图为每个区县现有学会（分会、联络处与驻地学会）数量，虚线为目标。",
      "dist.target": "目标学会数", "dist.refresh": "刷新", "dist.chart": "各区县学会覆盖数",
      "dist.chartDesc": "柱状图：{n} 个区县的学会数量，目标线为 {t}。",
      "dist.targetLine": "目标 {t}", "dist.average": "平均覆盖", "dist.needed": "尚需新增覆盖", "dist.districts": "区县数",
      "dist.meets": "平均是否达标",
      "dist.shortfall": "未达标区县", "dist.district": "区县", "dist.societies": "学会数", "dist.branches": "分会",
      "dist.liaisons": "联络处", "dist.seated": "驻地学会", "dist.gap": "缺口", "dist.scientists": "科技工作者",
      "dist.allMet": "所有区县均已达标。",
      "pres.heading": "设立分会 / 联络处建议", "pres.branch": "分会门槛（人）", "pres.liaison": "联络处门槛（人）",
      "pres.apply": "计算建议", "pres.none": "按当前门槛没有建议。", "pres.society": "学会", "pres.action": "建议",
      "pres.members": "会员", "pres.field": "同领域科技工作者", "pres.closes": "补缺口", "pres.reasons": "理由",
      "action.open_branch": "设立分会", "action.open_liaison_office": "设立联络处", "action.upgrade_to_branch": "联络处升级为分会",
      "cp.heading": "对口国家级学会建议", "cp.stats": "本地学会 {s} 个，其中 {w} 个已有对口国家级学会；国家级学会 {n} 个。",
      "cp.society": "本地学会", "cp.candidate": "建议对口", "cp.score": "匹配度", "cp.reasons": "理由",
      "cp.noCandidate": "暂无合适对口", "cp.none": "所有本地学会均已对口。",
      "err.forbidden": "当前密钥没有此操作的权限：{detail}", "err.generic": "请求失败（{status}）：{detail}",
      "err.network": "无法连接服务，请稍后重试。", "err.loading": "模型正在加载，请稍后重试。",
      "notfound.body": "没有这个页面。",
    },
    en: {
      "app.name": "Kexie Match", "title.search": "Expert search", "title.expert": "Expert", "title.districts": "District analytics",
      "title.login": "Sign in", "title.notfound": "Page not found",
      "skip": "Skip to content", "loading": "Loading…", "nav.label": "Main navigation", "nav.search": "Expert search", "nav.districts": "Districts",
      "lang.switch": "中文", "lang.switch.aria": "切换到中文",
      "logout": "Sign out", "whoami": "Key: {name}", "scopes": "Scopes", "logged.out": "Signed out",
      "login.heading": "Kexie Match · staff sign-in",
      "login.intro": "Enter the API key you were given (it starts with kx_). It is kept only in this browser tab and forgotten when the tab closes.",
      "login.key": "API key", "login.submit": "Sign in", "login.checking": "Checking the key…",
      "login.invalid": "This key is unknown or has been revoked. Check it and try again.", "login.empty": "Please enter an API key.",
      "login.failed": "Cannot reach the service: {detail}",
      "scope.read": "read", "scope.write": "write", "scope.contact": "contact", "scope.admin": "admin",
      "search.intro": "Describe an enterprise demand, a topic or keywords (Chinese or English). Experts are ranked by embeddings, Chinese full-text search, disciplines and graph ties, each with the reasons.",
      "search.text": "Demand or keywords", "search.placeholder": "e.g. battery thermal management and liquid-cooling simulation for EVs",
      "search.k": "Results", "search.district": "District", "search.anyDistrict": "Any district",
      "search.minGrade": "Lowest member grade", "search.anyGrade": "Any grade", "search.ageMax": "Maximum age",
      "search.kind": "Institution kind", "search.anyKind": "Any kind", "search.submit": "Search experts", "search.running": "Searching…",
      "search.export": "Export CSV", "search.count": "{n} experts", "search.none": "No expert matches these conditions.",
      "search.needText": "Please enter a demand or keywords.", "search.exported": "Exported {n} rows",
      "result.score": "Score", "result.eligible": "Eligible", "result.ineligible": "Not eligible",
      "result.explain": "Why", "result.components": "Score components", "result.component": "Component",
      "result.value": "Value", "result.weight": "Weight", "result.notUsed": "not used",
      "result.evidence": "Matched evidence", "result.terms": "Matched terms", "result.disciplines": "Disciplines",
      "result.matchedDisc": "Matched disciplines", "result.inferred": " (request disciplines inferred from the text)",
      "result.societies": "Societies and grades", "result.institution": "Institution", "result.exclusions": "Exclusions",
      "result.noEvidence": "No evidence matched.", "result.open": "Open profile", "result.load": "Active teams {a}/{m}",
      "result.contact": "Contact",
      "comp.dense": "Semantic similarity", "comp.lexical": "Keyword match", "comp.discipline": "Discipline match", "comp.graph": "Graph ties",
      "grade.student_member": "Student member", "grade.member": "Member", "grade.senior_member": "Senior member", "grade.fellow": "Fellow",
      "role.president": "President", "role.vice_president": "Vice president", "role.secretary_general": "Secretary general",
      "role.director": "Director", "role.member": "Member",
      "kind.enterprise": "Enterprise", "kind.university": "University", "kind.institute": "Research institute",
      "ev.publication": "Publication", "ev.project": "Project", "ev.patent": "Patent", "ev.standard": "Standard", "ev.award": "Award",
      "talent.strategic_scientist": "Strategic scientist", "talent.leading_talent": "Leading talent", "talent.young_scientist": "Young scientist",
      "talent.overseas_scientist": "Overseas scientist", "talent.outstanding_engineer": "Outstanding engineer", "talent.enterprise_innovator": "Enterprise innovator",
      "avail.available": "Available", "avail.limited": "Limited", "avail.unavailable": "Unavailable",
      "csv.rank": "Rank", "csv.id": "Expert id", "csv.name": "Name", "csv.score": "Score", "csv.eligible": "Eligible",
      "csv.title": "Title", "csv.institution": "Institution", "csv.kind": "Institution kind", "csv.district": "District", "csv.societies": "Societies (grade)",
      "csv.disciplines": "Disciplines", "csv.terms": "Matched terms", "csv.evidence": "Matched evidence", "csv.exclusions": "Exclusions",
      "yes": "yes", "no": "no", "none": "none", "back": "Back to search",
      "expert.notFound": "No expert has the id {id}.", "expert.born": "born {y}", "expert.district": "District",
      "expert.evidence": "Evidence ({n})", "expert.societies": "Societies and member grades", "expert.affiliations": "Affiliations",
      "expert.disciplines": "Disciplines", "expert.coauthors": "Co-authors", "expert.graph": "Neighbourhood graph",
      "expert.graphDesc": "Graph around {name}: {n} nodes — co-authors, societies, institutions and disciplines.",
      "expert.shared": "{n} shared items", "expert.current": "current", "expert.former": "former", "expert.kind": "Kind",
      "expert.year": "Year", "expert.titleCol": "Title", "expert.grade": "Grade", "expert.role": "Role", "expert.society": "Society",
      "expert.org": "Organisation", "expert.position": "Position",
      "legend.scientist": "This expert", "legend.coauthor": "Co-author", "legend.society": "Society", "legend.org": "Institution", "legend.discipline": "Discipline",
      "dist.intro": "Policy item 3: districts should be reached by more than {t} societies on average. The chart shows the societies present in each district (branches, liaison offices and seats); the dashed line is the target.",
      "dist.target": "Target societies", "dist.refresh": "Refresh", "dist.chart": "Societies per district",
      "dist.chartDesc": "Bar chart: societies in {n} districts, target line at {t}.",
      "dist.targetLine": "target {t}", "dist.average": "Average reach", "dist.needed": "Presences still needed", "dist.districts": "Districts",
      "dist.meets": "Average meets target",
      "dist.shortfall": "Districts below target", "dist.district": "District", "dist.societies": "Societies", "dist.branches": "Branches",
      "dist.liaisons": "Liaison offices", "dist.seated": "Seated", "dist.gap": "Shortfall", "dist.scientists": "Scientists",
      "dist.allMet": "Every district meets the target.",
      "pres.heading": "Branch / liaison-office suggestions", "pres.branch": "Branch threshold (people)", "pres.liaison": "Liaison threshold (people)",
      "pres.apply": "Suggest", "pres.none": "No suggestion at these thresholds.", "pres.society": "Society", "pres.action": "Suggestion",
      "pres.members": "Members", "pres.field": "Field scientists", "pres.closes": "Closes gap", "pres.reasons": "Reasons",
      "action.open_branch": "Open a branch", "action.open_liaison_office": "Open a liaison office", "action.upgrade_to_branch": "Upgrade office to branch",
      "cp.heading": "National counterpart suggestions", "cp.stats": "{s} local societies, {w} with a national counterpart; {n} national societies.",
      "cp.society": "Local society", "cp.candidate": "Suggested counterpart", "cp.score": "Score", "cp.reasons": "Reasons",
      "cp.noCandidate": "no suitable counterpart", "cp.none": "Every local society has a counterpart.",
      "err.forbidden": "This key may not do that: {detail}", "err.generic": "Request failed ({status}): {detail}",
      "err.network": "Cannot reach the service; try again shortly.", "err.loading": "The model is loading; try again shortly.",
      "notfound.body": "There is no such page.",
    },
  };
  const KEY = "kexie.lang";
  let lang = localStorage.getItem(KEY) === "en" ? "en" : "zh";

  function t(key, vars) {
    let s = STRINGS[lang][key];
    if (s === undefined) s = STRINGS.zh[key];
    if (s === undefined) { console.warn("missing string", key); return key; }
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? "" : String(vars[k])));
    return s;
  }
  /* A code's label, e.g. label("grade", "fellow"), or the code itself when unknown. */
  function label(prefix, code) {
    if (code === null || code === undefined || code === "") return "";
    const k = prefix + "." + code;
    return STRINGS[lang][k] !== undefined ? STRINGS[lang][k] : String(code);
  }
  function setLang(l) { lang = l === "en" ? "en" : "zh"; localStorage.setItem(KEY, lang); }
  function getLang() { return lang; }
  /* Translate the static shell: elements with data-i18n (text) and data-i18n-aria (aria-label). */
  function apply(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    (root || document).querySelectorAll("[data-i18n-aria]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nAria)); });
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }
  window.I18N = { t, label, setLang, getLang, apply, STRINGS };
})();
