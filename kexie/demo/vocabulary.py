"""Discipline-specific vocabulary: topic clusters of technical terms, text templates, venues.

A *cluster* is one research topic inside a second-level discipline (``es_bms`` = battery
management and thermal management in 48040 储能技术). It has paired Chinese/English terms and
application scenarios. Evidence, demands, topics and evaluation queries are all built from
clusters, which is what makes the ground truth possible: a scientist whose specialty is a
cluster is an expert for a demand written from that cluster.

The clusters live in ``_clusters.txt`` (one ``@code key 中文|English`` header, a line of
``zh|en;`` terms, a ``>`` line of applications), so that linguists can edit them without
touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "Cluster",
    "CLUSTERS",
    "CLUSTERS_BY_KEY",
    "CLUSTERS_BY_DISCIPLINE",
    "Term",
    "TITLE_ZH",
    "TITLE_EN",
    "TITLE_MIXED",
    "ABSTRACT_ZH",
    "ABSTRACT_EN",
    "ABSTRACT_MIXED",
    "PATENT_ZH",
    "PATENT_EN",
    "STANDARD_ZH",
    "AWARD_ZH",
    "PROJECT_ZH",
    "PROJECT_EN",
    "VENUES_ZH",
    "VENUES_EN",
    "VENUE_FALLBACK_ZH",
    "VENUE_FALLBACK_EN",
]

Term = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class Cluster:
    """A topic cluster inside one second-level discipline."""

    key: str
    discipline: str
    name: str
    name_en: str
    terms: tuple[Term, ...]
    apps: tuple[Term, ...]


def _pairs(line: str) -> tuple[Term, ...]:
    out = []
    for part in line.split(";"):
        zh, en = part.strip().split("|")
        out.append((zh.strip(), en.strip()))
    return tuple(out)


def _load() -> tuple[Cluster, ...]:
    text = Path(__file__).with_name("_clusters.txt").read_text(encoding="utf-8")
    clusters: list[Cluster] = []
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i in range(0, len(lines), 3):
        head, terms, apps = lines[i : i + 3]
        if not head.startswith("@") or not apps.startswith(">"):
            raise ValueError(f"_clusters.txt: malformed block at {head!r}")
        code, key, names = head[1:].split(" ", 2)
        name, name_en = names.split("|")
        clusters.append(Cluster(key, code, name, name_en, _pairs(terms), _pairs(apps[1:])))
    return tuple(clusters)


CLUSTERS: Final[tuple[Cluster, ...]] = _load()
CLUSTERS_BY_KEY: Final[dict[str, Cluster]] = {c.key: c for c in CLUSTERS}
CLUSTERS_BY_DISCIPLINE: Final[dict[str, tuple[Cluster, ...]]] = {
    code: tuple(c for c in CLUSTERS if c.discipline == code)
    for code in dict.fromkeys(c.discipline for c in CLUSTERS)
}

# Placeholders: {a}, {b}, {c} are terms of one cluster, {app} an application of it.
TITLE_ZH: Final = (
    "基于{a}的{b}研究",
    "面向{app}的{a}关键技术研究",
    "{a}与{b}协同优化方法",
    "{app}中{a}的建模与分析",
    "一种改进的{a}方法及其在{app}中的应用",
    "{a}对{b}影响机制研究",
    "{app}{a}技术研究与示范",
    "考虑{b}的{a}设计方法",
    "{a}研究进展与展望",
    "{b}条件下{a}的实验研究",
)
TITLE_EN: Final = (
    "A study of {a} for {app}",
    "{A} based on {b}: methods and applications",
    "Joint optimisation of {a} and {b}",
    "Modelling and analysis of {a} in {app}",
    "An improved {a} method and its application to {app}",
    "Mechanism of {b} effects on {a}",
    "Towards reliable {a} with {b}",
    "{A} under {b} constraints: an experimental study",
    "A review of {a} for {app}",
)
TITLE_MIXED: Final = (
    "基于 {ea} 的 {eb} 研究",
    "面向 {eapp} 的 {ea} 方法",
    "{ea} 与 {eb} 协同优化",
)
ABSTRACT_ZH: Final = (
    "针对{app}中{a}存在的问题，提出一种基于{b}的方法，实验表明{c}性能明显提升。",
    "本文系统分析了{a}与{b}的耦合关系，建立了{c}模型，并在{app}场景中完成验证。",
    "围绕{app}需求，研究{a}关键技术，揭示了{b}的作用机理，为{c}提供理论依据。",
    "通过数值模拟与试验相结合，研究{a}的影响因素，提出了{b}优化策略。",
)
ABSTRACT_EN: Final = (
    "We address {a} in {app} and propose a {b}-based approach; experiments show clear gains "
    "in {c}.",
    "This work analyses the coupling between {a} and {b}, builds a {c} model and validates it "
    "in {app}.",
    "Combining simulation and experiments, we study the factors of {a} and derive a {b} strategy.",
)
ABSTRACT_MIXED: Final = (
    "提出 {ea} 方法, 结合 {eb} 与 {ec}, 在 {eapp} 中验证。",
    "研究 {ea} and {eb}, 用于 {eapp} 的 {ec} 分析。",
)
PATENT_ZH: Final = (
    "一种基于{b}的{a}方法",
    "一种{a}装置及系统",
    "一种用于{app}的{a}检测方法",
    "一种{a}与{b}一体化装置",
)
PATENT_EN: Final = (
    "Method for {a} based on {b}",
    "Device and system for {a} in {app}",
)
STANDARD_ZH: Final = (
    "{a}技术规范",
    "{app}{a}通用技术要求",
    "{a}试验方法",
    "{a}评价指南",
)
AWARD_ZH: Final = (
    "{a}关键技术及应用",
    "{app}{a}与{b}技术创新及产业化",
    "{a}理论与方法",
)
PROJECT_ZH: Final = (
    "{a}关键技术研究",
    "面向{app}的{a}与{b}研究",
    "{a}机理及调控方法研究",
    "{app}{a}技术集成与示范",
)
PROJECT_EN: Final = (
    "Research on {a} for {app}",
    "Mechanism and control of {a}",
)

VENUES_ZH: Final[dict[str, tuple[str, ...]]] = {
    "110": ("数学学报", "应用数学学报", "运筹学学报"),
    "130": ("力学学报", "振动工程学报"),
    "140": ("物理学报", "中国科学:物理学 力学 天文学"),
    "150": ("分析化学", "化学学报"),
    "170": ("地质学报", "岩石力学与工程学报", "水土保持学报"),
    "180": ("生态学报", "微生物学报"),
    "210": ("园艺学报", "中国农业科学", "西南大学学报(自然科学版)", "植物保护学报"),
    "220": ("林业科学", "经济林研究"),
    "230": ("畜牧兽医学报", "中国畜牧杂志"),
    "240": ("水产学报",),
    "320": ("中华医学杂志", "中华内科杂志", "重庆医科大学学报", "中华外科杂志"),
    "330": ("中华预防医学杂志", "中华流行病学杂志"),
    "350": ("药学学报", "中国药学杂志"),
    "360": ("中国中药杂志", "中草药"),
    "413": ("自动化学报", "控制与决策", "信息安全学报"),
    "430": ("材料导报", "中国有色金属学报", "复合材料学报"),
    "440": ("煤炭学报", "矿业安全与环保"),
    "450": ("钢铁", "中国有色金属学报"),
    "460": ("机械工程学报", "中国机械工程", "重庆大学学报"),
    "470": ("中国电机工程学报", "电工技术学报", "内燃机学报"),
    "480": ("储能科学与技术", "电源技术"),
    "510": ("电子学报", "通信学报", "重庆邮电大学学报(自然科学版)"),
    "520": ("计算机学报", "软件学报", "中文信息学报", "计算机研究与发展"),
    "530": ("化工学报", "天然气化工", "化工进展"),
    "550": ("食品科学", "中国食品学报", "食品与发酵工业"),
    "560": ("土木工程学报", "建筑结构学报", "隧道建设", "城市规划学刊"),
    "570": ("水利学报", "环境工程学报"),
    "580": ("中国公路学报", "汽车工程", "交通运输工程学报", "重庆交通大学学报(自然科学版)"),
    "610": ("环境科学", "中国环境科学", "长江流域资源与环境"),
    "620": ("中国安全科学学报", "安全与环境学报"),
    "630": ("管理世界", "科学学研究", "中国管理科学"),
    "790": ("经济研究", "数量经济技术经济研究", "农业经济问题"),
    "820": ("知识产权", "法学研究"),
    "880": ("中国职业技术教育", "高等工程教育研究"),
}
VENUES_EN: Final[dict[str, tuple[str, ...]]] = {
    "110": ("SIAM Journal on Optimization", "European Journal of Operational Research"),
    "140": ("Physical Review B", "Applied Physics Letters"),
    "150": ("Analytical Chemistry", "Food Chemistry"),
    "170": ("Landslides", "Engineering Geology"),
    "180": ("Microbiome", "Ecological Indicators"),
    "210": ("Horticulture Research", "Plant Disease"),
    "230": ("Journal of Animal Science", "Veterinary Microbiology"),
    "320": ("The Lancet Regional Health - Western Pacific", "BMC Medicine", "Radiology"),
    "330": ("BMC Public Health", "Vaccine"),
    "350": ("Journal of Controlled Release", "Acta Pharmaceutica Sinica B"),
    "360": ("Journal of Ethnopharmacology", "Chinese Medicine"),
    "413": (
        "IEEE Transactions on Industrial Electronics",
        "IEEE Transactions on Information Forensics and Security",
    ),
    "430": ("Journal of Magnesium and Alloys", "Composites Part B: Engineering"),
    "460": (
        "Mechanism and Machine Theory",
        "International Journal of Machine Tools and Manufacture",
    ),
    "470": ("IEEE Transactions on Power Electronics", "Applied Energy", "Fuel"),
    "480": ("Journal of Power Sources", "Energy Storage Materials", "eTransportation"),
    "510": ("IEEE Transactions on Wireless Communications", "IEEE Electron Device Letters"),
    "520": (
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "Knowledge-Based Systems",
        "Information Sciences",
    ),
    "530": ("Chemical Engineering Journal", "Industrial & Engineering Chemistry Research"),
    "550": ("Food Chemistry", "LWT - Food Science and Technology"),
    "560": ("Tunnelling and Underground Space Technology", "Engineering Structures"),
    "570": ("Water Research", "Journal of Hydrology"),
    "580": (
        "Transportation Research Part C",
        "IEEE Transactions on Intelligent Transportation Systems",
    ),
    "610": ("Science of the Total Environment", "Water Research"),
    "620": ("Safety Science", "Process Safety and Environmental Protection"),
    "630": ("Research Policy", "Technovation"),
    "790": ("China Economic Review", "Regional Studies"),
}
VENUE_FALLBACK_ZH: Final = ("科学通报", "重庆大学学报", "西南大学学报(自然科学版)")
VENUE_FALLBACK_EN: Final = ("Scientific Reports", "PLOS ONE", "Heliyon")
