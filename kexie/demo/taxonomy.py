"""A GB/T 13745-2009 discipline taxonomy (学科分类与代码), first and second level.

Codes and names follow the standard as far as we know them; English names are our own
renderings. Level 1 has three digits, level 2 five digits whose first three are the parent.
Only part of level 2 is listed: the fields relevant to Chongqing's industries, medicine,
agriculture and policy work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["Discipline", "DISCIPLINES", "LEVEL1", "LEVEL2", "discipline_name"]


@dataclass(frozen=True)
class Discipline:
    """One discipline code with its Chinese and English name."""

    code: str
    name: str
    name_en: str

    @property
    def parent(self) -> str | None:
        return self.code[:3] if len(self.code) == 5 else None


_DATA: Final = """
110 数学|Mathematics
11021 代数学|Algebra
11034 数学分析|Mathematical Analysis
11047 偏微分方程|Partial Differential Equations
11061 计算数学|Computational Mathematics
11064 概率论|Probability Theory
11067 数理统计学|Mathematical Statistics
11074 运筹学|Operations Research
11077 组合数学|Combinatorics
120 信息科学与系统科学|Information Science and Systems Science
12010 信息科学与系统科学基础学科|Foundations of Information and Systems Science
12020 系统学|Systemics
12030 控制理论|Control Theory
12040 系统评估与可行性分析|Systems Evaluation and Feasibility Analysis
12050 系统工程方法论|Systems Engineering Methodology
130 力学|Mechanics
13010 基础力学|Fundamental Mechanics
13015 固体力学|Solid Mechanics
13020 振动与波|Vibration and Waves
13025 流体力学|Fluid Mechanics
13050 应用力学|Applied Mechanics
140 物理学|Physics
14015 理论物理学|Theoretical Physics
14020 声学|Acoustics
14030 光学|Optics
14050 凝聚态物理学|Condensed Matter Physics
14080 应用物理学|Applied Physics
150 化学|Chemistry
15015 无机化学|Inorganic Chemistry
15020 有机化学|Organic Chemistry
15025 分析化学|Analytical Chemistry
15030 物理化学|Physical Chemistry
15045 高分子化学|Polymer Chemistry
15055 应用化学|Applied Chemistry
160 天文学|Astronomy
16010 天文学史|History of Astronomy
16030 天体物理学|Astrophysics
170 地球科学|Earth Sciences
17015 大气科学|Atmospheric Sciences
17020 固体地球物理学|Solid Earth Geophysics
17030 地球化学|Geochemistry
17045 地理学|Geography
17050 地质学|Geology
17055 水文学|Hydrology
180 生物学|Biology
18017 生物化学|Biochemistry
18021 细胞生物学|Cell Biology
18031 遗传学|Genetics
18037 分子生物学|Molecular Biology
18041 生态学|Ecology
18047 植物学|Botany
18051 昆虫学|Entomology
18057 微生物学|Microbiology
190 心理学|Psychology
19010 心理学史|History of Psychology
19040 社会心理学|Social Psychology
210 农学|Agronomy
21020 农业基础学科|Agricultural Basic Sciences
21030 农艺学|Agronomy and Crop Science
21040 园艺学|Horticulture
21050 土壤学|Soil Science
21060 植物保护学|Plant Protection
21070 农业工程|Agricultural Engineering
220 林学|Forestry
22020 林木遗传育种学|Forest Tree Genetics and Breeding
22030 森林培育学|Silviculture
22050 森林保护学|Forest Protection
22080 经济林学|Economic Forestry
22090 园林学|Landscape Architecture
230 畜牧、兽医科学|Animal Husbandry and Veterinary Science
23020 畜牧学|Animal Husbandry
23030 兽医学|Veterinary Medicine
240 水产学|Fishery Science
24020 水产养殖学|Aquaculture
310 基础医学|Basic Medicine
31034 人体免疫学|Human Immunology
31044 病理学|Pathology
31047 药理学|Pharmacology
31057 医学统计学|Medical Statistics
320 临床医学|Clinical Medicine
32011 临床诊断学|Clinical Diagnostics
32021 麻醉学|Anesthesiology
32024 内科学|Internal Medicine
32027 外科学|Surgery
32031 妇产科学|Obstetrics and Gynecology
32034 儿科学|Pediatrics
32054 神经病学|Neurology
32061 急诊医学|Emergency Medicine
32067 肿瘤学|Oncology
32071 护理学|Nursing
330 预防医学与公共卫生学|Preventive Medicine and Public Health
33011 营养学|Nutrition
33014 毒理学|Toxicology
33021 流行病学|Epidemiology
33031 环境医学|Environmental Medicine
33071 卫生经济学|Health Economics
350 药学|Pharmacy
35010 药物化学|Medicinal Chemistry
35020 生物药物学|Biopharmaceutics
35035 药剂学|Pharmaceutics
35045 药物管理学|Pharmacy Administration
360 中医学与中药学|Traditional Chinese Medicine and Materia Medica
36010 中医学|Traditional Chinese Medicine
36030 中西医结合医学|Integrated Chinese and Western Medicine
36040 中药学|Chinese Materia Medica
410 工程与技术科学基础学科|Engineering and Technology Basic Sciences
41020 工程力学|Engineering Mechanics
41030 工程地质学|Engineering Geology
413 信息与系统科学相关工程与技术|Information and Systems Science Related Engineering and Technology
41310 控制科学与技术|Control Science and Technology
41320 仿真科学技术|Simulation Science and Technology
41330 信息安全技术|Information Security Technology
41340 信息技术系统性应用|Systematic Application of Information Technology
420 测绘科学技术|Surveying and Mapping
42020 摄影测量与遥感技术|Photogrammetry and Remote Sensing
42040 工程测量技术|Engineering Surveying
430 材料科学|Materials Science
43015 材料表面与界面|Material Surfaces and Interfaces
43020 材料失效与保护|Material Failure and Protection
43035 材料合成与加工工艺|Material Synthesis and Processing
43040 金属材料|Metallic Materials
43045 无机非金属材料|Inorganic Non-metallic Materials
43050 有机高分子材料|Organic Polymer Materials
43055 复合材料|Composite Materials
43060 生物材料|Biomaterials
43065 纳米材料|Nanomaterials
440 矿山工程技术|Mining Engineering
44035 采矿工程|Mining
44050 油气田井开发工程|Oil and Gas Field Development Engineering
44075 矿山安全|Mine Safety
450 冶金工程技术|Metallurgical Engineering
45035 钢铁冶金|Iron and Steel Metallurgy
45040 有色金属冶金|Non-ferrous Metallurgy
460 机械工程|Mechanical Engineering
46015 机械学|Mechanics of Machinery
46020 机械设计|Mechanical Design
46025 机械制造工艺与设备|Manufacturing Technology and Equipment
46035 机床技术|Machine Tool Technology
46040 仪器仪表技术|Instrumentation Technology
46045 流体传动与控制|Fluid Power Transmission and Control
470 动力与电气工程|Power and Electrical Engineering
47010 工程热物理|Engineering Thermophysics
47020 热工学|Thermal Engineering
47030 动力机械工程|Power Machinery Engineering
47035 制冷与低温工程|Refrigeration and Cryogenic Engineering
47040 电气工程|Electrical Engineering
480 能源科学技术|Energy Science and Technology
48030 能源计算与测量|Energy Calculation and Measurement
48040 储能技术|Energy Storage Technology
48050 节能技术|Energy Conservation Technology
48070 二次能源|Secondary Energy
48080 能源系统工程|Energy Systems Engineering
490 核科学技术|Nuclear Science and Technology
49040 核反应堆工程技术|Nuclear Reactor Engineering
510 电子与通信技术|Electronics and Communication Technology
51010 电子技术|Electronic Technology
51020 光电子学与激光技术|Optoelectronics and Laser Technology
51030 半导体技术|Semiconductor Technology
51040 信息处理技术|Information Processing Technology
51050 通信技术|Communication Technology
51070 雷达工程|Radar Engineering
520 计算机科学技术|Computer Science and Technology
52010 计算机科学技术基础学科|Foundations of Computer Science
52020 人工智能|Artificial Intelligence
52030 计算机系统结构|Computer Architecture
52040 计算机软件|Computer Software
52050 计算机工程|Computer Engineering
52060 计算机应用|Computer Applications
530 化学工程|Chemical Engineering
53020 化工传递过程|Chemical Transport Processes
53030 化学反应工程|Chemical Reaction Engineering
53055 电化学工程|Electrochemical Engineering
53070 石油化学工程|Petrochemical Engineering
53075 精细化学工程|Fine Chemical Engineering
53090 制药工程|Pharmaceutical Engineering
53095 生物化学工程|Biochemical Engineering
540 纺织科学技术|Textile Science and Technology
54020 纺织材料|Textile Materials
550 食品科学技术|Food Science and Technology
55010 食品科学技术基础学科|Food Science Basics
55020 食品加工技术|Food Processing Technology
55030 食品包装与储藏|Food Packaging and Storage
55070 食品工程与粮油工程|Food Engineering and Grain and Oil Engineering
560 土木建筑工程|Civil and Architectural Engineering
56020 土木建筑工程测量|Civil Engineering Surveying
56025 建筑材料|Building Materials
56030 工程结构|Engineering Structures
56040 土木建筑工程设计|Civil and Architectural Design
56045 土木建筑工程施工|Civil Engineering Construction
56055 市政工程|Municipal Engineering
570 水利工程|Hydraulic Engineering
57025 水工结构|Hydraulic Structures
57040 水处理|Water Treatment
57055 环境水利|Environmental Hydraulics
57065 防洪工程|Flood Control Engineering
580 交通运输工程|Transportation Engineering
58010 道路工程|Road Engineering
58020 公路运输|Highway Transportation
58030 铁路运输|Railway Transportation
58040 水路运输|Waterway Transportation
58070 交通运输系统工程|Transportation Systems Engineering
58080 交通运输安全工程|Transportation Safety Engineering
590 航空、航天科学技术|Aeronautics and Astronautics
59015 航空器结构与设计|Aircraft Structure and Design
610 环境科学技术及资源科学技术|Environmental and Resource Science and Technology
61020 环境学|Environmental Science
61030 环境工程学|Environmental Engineering
61040 资源科学技术|Resource Science and Technology
620 安全科学技术|Safety Science and Technology
62030 安全工程技术科学|Safety Engineering
62070 公共安全|Public Safety
630 管理学|Management Science
63015 管理理论|Management Theory
63035 科学学与科技管理|Science of Science and S&T Management
63040 企业管理|Business Management
63045 行政管理|Public Administration
63050 管理工程|Management Engineering
63055 人力资源开发与管理|Human Resource Management
790 经济学|Economics
79019 国民经济学|National Economics
79025 会计学|Accounting
79031 技术经济学|Technical Economics
79037 城市经济学|Urban Economics
79043 物流经济学|Logistics Economics
79045 工业经济学|Industrial Economics
79049 农业经济学|Agricultural Economics
79063 金融学|Finance
720 哲学|Philosophy
810 政治学|Political Science
81020 政治学理论|Political Theory
820 法学|Law
82010 理论法学|Jurisprudence
82030 部门法学|Specialized Law
840 社会学|Sociology
84031 社会学方法|Sociological Methods
860 新闻学与传播学|Journalism and Communication
86060 传播学|Communication Studies
870 图书馆、情报与文献学|Library, Information and Documentation Science
87030 情报学|Information Science
880 教育学|Education
88041 高等教育学|Higher Education
88044 职业技术教育学|Vocational and Technical Education
890 体育科学|Sports Science
89020 运动生物力学|Sports Biomechanics
910 统计学|Statistics
91040 经济统计学|Economic Statistics
91065 生物与医学统计学|Biological and Medical Statistics
"""


def _parse() -> tuple[Discipline, ...]:
    out = []
    for line in _DATA.strip().splitlines():
        code, rest = line.split(" ", 1)
        name, name_en = rest.split("|")
        out.append(Discipline(code, name, name_en))
    return tuple(out)


DISCIPLINES: Final[tuple[Discipline, ...]] = _parse()
LEVEL1: Final[tuple[Discipline, ...]] = tuple(d for d in DISCIPLINES if len(d.code) == 3)
LEVEL2: Final[tuple[Discipline, ...]] = tuple(d for d in DISCIPLINES if len(d.code) == 5)
_BY_CODE: Final = {d.code: d for d in DISCIPLINES}


def discipline_name(code: str) -> str:
    """The Chinese name of a discipline code.

    Raises:
        KeyError: for an unknown code.
    """
    return _BY_CODE[code].name
