"""Templates for demands (需求), government topics (课题) and evaluation queries.

Topics are written by hand: each names the clusters it draws on, so its ground truth is the
union of those clusters' experts. Demands and queries are built from one cluster each, with
templates that paraphrase the cluster's terms in a problem statement rather than reuse
evidence titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "TopicSpec",
    "TOPICS",
    "DEMAND_TITLE_ZH",
    "DEMAND_TEXT_ZH",
    "DEMAND_TITLE_EN",
    "DEMAND_TEXT_EN",
    "QUERY_SHORT_ZH",
    "QUERY_LONG_ZH",
    "QUERY_SHORT_EN",
    "QUERY_LONG_EN",
    "TOPIC_TEXT",
    "AWARD_ROUND",
    "AWARD_ITEM_TITLE",
    "AWARD_ITEM_TEXT",
    "DECLARED_TIES",
]


@dataclass(frozen=True)
class TopicSpec:
    """A government topic: title, issuer and the clusters it needs."""

    title: str
    issuer: str
    clusters: tuple[str, ...]


TOPICS: Final[tuple[TopicSpec, ...]] = (
    TopicSpec(
        "成渝地区双城经济圈智能网联新能源汽车产业链协同发展研究",
        "重庆市经济和信息化委员会",
        ("ctl_ad", "es_bms", "mg_supply", "ec_urban"),
    ),
    TopicSpec(
        "三峡库区消落带生态修复与水环境综合治理对策研究",
        "重庆市生态环境局",
        ("env_tgr", "eco_bio", "wt_sewage"),
    ),
    TopicSpec(
        "山地城市地质灾害风险防控体系建设研究",
        "重庆市规划和自然资源局",
        ("geo_slide", "safe_city", "res_land"),
    ),
    TopicSpec(
        "重庆市集成电路产业发展路径与人才支撑研究",
        "重庆市经济和信息化委员会",
        ("semi_ic", "semi_power", "edu_voc"),
    ),
    TopicSpec(
        "柑橘产业高质量发展与黄龙病综合防控对策研究",
        "重庆市农业农村委员会",
        ("hort_citrus", "pp_pest", "ec_rural"),
    ),
    TopicSpec(
        "荣昌猪种质资源保护与生猪全产业链现代化研究",
        "重庆市农业农村委员会",
        ("ah_pig", "vet_asf", "fd_meat"),
    ),
    TopicSpec(
        "新型电力系统建设背景下重庆能源保障与储能布局研究",
        "重庆市发展和改革委员会",
        ("ee_grid", "es_libmat", "ec_save"),
    ),
    TopicSpec(
        "工业互联网赋能制造业数字化转型路径研究",
        "重庆市经济和信息化委员会",
        ("ca_iiot", "mg_firm", "ca_twin"),
    ),
    TopicSpec(
        "超大城市安全韧性与应急管理能力提升研究",
        "重庆市应急管理局",
        ("safe_city", "safe_chem", "ca_twin"),
    ),
    TopicSpec(
        "科技社团促进科技成果转化的机制与政策研究",
        "重庆市科学技术协会",
        ("mg_sti", "law_ip", "ec_digital"),
    ),
    TopicSpec(
        "慢性病综合防控与基层医疗服务能力提升研究",
        "重庆市卫生健康委员会",
        ("med_cardio", "med_metab", "ph_epi"),
    ),
    TopicSpec(
        "生物医药产业创新生态与临床转化体系研究", "重庆市科学技术局", ("ph_bio", "ph_dds", "mg_sti")
    ),
    TopicSpec(
        "道地中药材产区建设与中医药传承创新研究",
        "重庆市中医管理局",
        ("tcm_herb", "tcm_clin", "ec_rural"),
    ),
    TopicSpec(
        "山地城市交通拥堵治理与轨道交通高质量发展研究",
        "重庆市交通运输委员会",
        ("trans_its", "rail_mono", "arch_mount"),
    ),
    TopicSpec(
        "长江航运与西部陆海新通道物流降本增效研究",
        "重庆市口岸和物流办公室",
        ("water_ship", "ec_logi", "or_opt"),
    ),
    TopicSpec(
        "大模型在政务服务中的应用与安全治理研究",
        "重庆市大数据应用发展管理局",
        ("ai_nlp", "sec_net", "sw_data"),
    ),
    TopicSpec(
        "火锅及调味品产业标准化与品牌建设研究",
        "重庆市市场监督管理局",
        ("fd_hotpot", "an_food", "mg_firm"),
    ),
    TopicSpec(
        "丘陵山区农业机械化与智慧农业发展研究",
        "重庆市农业农村委员会",
        ("agr_mach", "hort_tea", "ec_rural"),
    ),
    TopicSpec(
        "氢能产业发展路线与安全监管体系研究",
        "重庆市发展和改革委员会",
        ("es_h2", "safe_chem", "pc_shale"),
    ),
    TopicSpec(
        "产教融合背景下卓越工程师培养机制研究", "重庆市教育委员会", ("edu_voc", "mg_sti", "mf_am")
    ),
    TopicSpec(
        "城市更新中装配式建筑与绿色建材推广应用研究",
        "重庆市住房和城乡建设委员会",
        ("st_prefab", "bm_concrete", "arch_mount"),
    ),
    TopicSpec(
        "退役动力电池回收利用体系建设研究", "重庆市生态环境局", ("env_waste", "es_libmat", "nf_al")
    ),
)

# {title}, {issuer}, {n1}/{n2}: cluster names, {a}/{b}/{c}: terms of different clusters.
TOPIC_TEXT: Final = (
    "本课题由{issuer}提出，围绕“{title}”开展研究。需要综合{n1}与{n2}等领域的专业力量，"
    "重点分析{a}、{b}和{c}等关键问题，形成可操作的政策建议和实施路径。",
    "{issuer}拟委托智库团队开展“{title}”。课题涉及{n1}、{n2}等多个学科，"
    "要求梳理{a}与{b}的现状和短板，研判{c}的发展趋势，提出决策咨询报告。",
)

# {a}, {b}, {c}: terms of the demand's cluster; {app}: an application; {industry}: the
# enterprise's industry.
DEMAND_TITLE_ZH: Final = (
    "{a}技术咨询需求",
    "关于{app}中{b}问题的技术攻关需求",
    "寻求{a}与{b}方向专家支持",
    "{app}相关{a}难题求助",
)
DEMAND_TEXT_ZH: Final = (
    "我公司主要从事{industry}业务，目前在{app}方面遇到{a}不稳定的问题。"
    "希望邀请熟悉{b}和{c}的专家开展技术诊断，并提出改进方案。",
    "公司正在推进{app}项目，{a}环节的效率和可靠性达不到预期。"
    "需要在{b}方面获得技术咨询，必要时联合开展{c}试验验证。对专家的现场服务时间有一定要求。",
    "近期我司产品在{a}方面被客户反馈存在隐患。拟寻求{b}方向的专家团队，"
    "协助完成{c}评估，并参与相关团体标准起草。",
    "作为{industry}领域的中小企业，我们缺少{a}方面的研发力量。"
    "希望与高校或科研院所合作，围绕{b}和{c}开展联合攻关，推动成果在{app}中落地。",
)
DEMAND_TITLE_EN: Final = (
    "Expert support needed on {a}",
    "Consulting request: {b} in {app}",
)
DEMAND_TEXT_EN: Final = (
    "Our company works in {industry}. We face problems with {a} in {app} and need experts in "
    "{b} and {c} to diagnose the issue and propose improvements.",
    "We are developing a product line for {app}. Its {a} does not meet targets; we seek "
    "consulting on {b} and joint testing of {c}.",
)

QUERY_SHORT_ZH: Final = ("{a}", "{a}{b}", "{a}专家", "{app}{a}")
QUERY_LONG_ZH: Final = (
    "需要一位在{app}场景下解决{a}问题、同时熟悉{b}的专家",
    "寻找研究{a}和{b}的团队，服务于{app}",
    "我们想了解{c}在{app}中的应用，请推荐懂{a}的专家",
)
QUERY_SHORT_EN: Final = ("{a}", "{a} and {b}", "{a} expert", "{a} for {app}")
QUERY_LONG_EN: Final = (
    "Looking for an expert who can solve {a} problems in {app} and knows {b}",
    "Which researchers work on {a} and {b} with applications to {app}?",
    "We need advice on {c} for {app}; recommend specialists in {a}",
)


# The award round (科技奖励推荐): one round, nominations written from one cluster each. Titles
# follow the usual shape of 重庆市科技进步奖 nominations; texts are the 项目简介 in brief.
AWARD_ROUND: Final[dict[str, str | int]] = {
    "id": "RND-2025",
    "name": "2025年度重庆市科技进步奖推荐",
    "kind": "award",
    "year": 2025,
    "reviewers_per_item": 3,
    "max_items_per_reviewer": 3,
}
AWARD_ITEM_TITLE: Final = (
    "{a}与{b}关键技术及应用",
    "{a}关键技术及其在{app}中的应用",
    "面向{app}的{a}与{b}关键技术研究及产业化",
    "{a}与{b}协同创新及其在{app}中的推广应用",
)
AWARD_ITEM_TEXT: Final = (
    "本项目面向{app}的重大需求，围绕{a}与{b}中的关键科学问题和技术瓶颈，系统开展了{c}研究，"
    "形成了具有自主知识产权的成套技术与方法。获授权发明专利{n_pat}件，制定标准{n_std}项，"
    "近三年新增经济效益{money}亿元。",
    "项目围绕{a}与{b}开展产学研联合攻关，突破了{c}等关键技术，形成了面向{app}的成套技术方案。"
    "成果在重庆市及成渝地区{n_units}家单位推广应用，经第三方评价整体达到国内领先水平。",
    "针对{app}中{a}的共性难题，项目团队历经十年攻关，建立了{b}理论与方法，提出了{c}新方法，"
    "发表论文{n_pub}篇，授权发明专利{n_pat}件，培养研究生{n_stu}名，社会经济效益显著。",
)
#: Declared person-to-person conflicts planted between an applicant and a relevant expert.
DECLARED_TIES: Final = ("师生关系", "近亲属关系", "曾为其博士后合作导师")
