# ruff: noqa: E501  (data tables: one society per line reads better than wrapped lines)
"""National societies (全国学会) and Chongqing's municipal and district-level societies.

National societies are real member societies of CAST (and a few national academic societies
in economics, law and education), with disciplines. Most have a Chongqing counterpart whose
name is derived (中国X学会 -> 重庆市X学会); some have none, and some municipal societies have no
national counterpart, so that a counterpart-gap analysis has something to find.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "NationalSociety",
    "MunicipalSociety",
    "NATIONAL_SOCIETIES",
    "MUNICIPAL_SOCIETIES",
    "DISTRICT_SOCIETIES",
]


@dataclass(frozen=True)
class NationalSociety:
    """A national society and the name of its Chongqing counterpart (None: no counterpart)."""

    name: str
    name_en: str
    disciplines: tuple[str, ...]
    municipal: str | None


@dataclass(frozen=True)
class MunicipalSociety:
    """A Chongqing society; ``counterparts`` are names of national societies."""

    name: str
    name_en: str
    disciplines: tuple[str, ...]
    counterparts: tuple[str, ...]
    district: str | None = None  # Chinese district name for district-level societies
    founded_year: int | None = None


# name | English | disciplines | municipal counterpart: "=" derive, "-" none, else the name
_NATIONAL: Final = """
中国数学会|Chinese Mathematical Society|110,11061,11064|=
中国运筹学会|Operations Research Society of China|11074|=
中国现场统计研究会|Chinese Association for Applied Statistics|11067,910|=
中国系统工程学会|Systems Engineering Society of China|120,12050|=
中国力学学会|Chinese Society of Theoretical and Applied Mechanics|130,13015|=
中国振动工程学会|Chinese Society for Vibration Engineering|13020,46020|=
中国物理学会|Chinese Physical Society|140,14050|=
中国声学学会|Acoustical Society of China|14020|=
中国光学学会|Chinese Optical Society|14030,51020|=
中国真空学会|Chinese Vacuum Society|14080|-
中国化学会|Chinese Chemical Society|150,15025|=
中国天文学会|Chinese Astronomical Society|160|-
中国气象学会|Chinese Meteorological Society|17015|=
中国地球物理学会|Chinese Geophysical Society|17020|=
中国地质学会|Geological Society of China|17050,41030|=
中国地理学会|Geographical Society of China|17045|=
中国地震学会|Seismological Society of China|17020|=
中国植物学会|Botanical Society of China|18047|=
中国动物学会|China Zoological Society|180|=
中国昆虫学会|Entomological Society of China|18051|=
中国微生物学会|Chinese Society for Microbiology|18057|=
中国生物化学与分子生物学会|Chinese Society of Biochemistry and Molecular Biology|18017,18037|=
中国细胞生物学学会|Chinese Society for Cell Biology|18021|-
中国遗传学会|Genetics Society of China|18031|=
中国生态学学会|Ecological Society of China|18041|=
中国心理学会|Chinese Psychological Society|190|=
中国自动化学会|Chinese Association of Automation|41310,12030|=
中国人工智能学会|Chinese Association for Artificial Intelligence|52020|=
中国计算机学会|China Computer Federation|520,52040,52060|=
中国中文信息学会|Chinese Information Processing Society of China|52020|-
中国图象图形学学会|China Society of Image and Graphics|52020,52060|=
中国仿真学会|China Simulation Federation|41320|=
中国密码学会|Chinese Association for Cryptologic Research|41330|-
中国电子学会|Chinese Institute of Electronics|510,51010,51030|=
中国通信学会|China Institute of Communications|51050|=
中国光学工程学会|Chinese Society for Optical Engineering|51020|-
中国微米纳米技术学会|Chinese Society of Micro-Nano Technology|43065,51030|=
中国机械工程学会|Chinese Mechanical Engineering Society|460,46020,46025|=
中国汽车工程学会|China Society of Automotive Engineers|58020,47030,46020|=
中国仪器仪表学会|China Instrument and Control Society|46040|=
中国计量测试学会|Chinese Society for Measurement|46040|=
中国图学学会|China Graphics Society|46020|=
中国内燃机学会|Chinese Society for Internal Combustion Engines|47030|=
中国动力工程学会|Chinese Society of Power Engineering|47030,47020|-
中国工程热物理学会|Chinese Society of Engineering Thermophysics|47010|-
中国制冷学会|Chinese Association of Refrigeration|47035|=
中国电机工程学会|Chinese Society for Electrical Engineering|47040|=
中国电工技术学会|China Electrotechnical Society|47040|=
中国电源学会|China Power Supply Society|47040|=
中国照明学会|China Illuminating Engineering Society|47040|=
中国能源研究会|China Energy Research Society|480,48080|=
中国可再生能源学会|Chinese Renewable Energy Society|480,48070|=
中国核学会|Chinese Nuclear Society|490|-
中国材料研究学会|Chinese Materials Research Society|430,43065|=
中国金属学会|Chinese Society for Metals|45035,43040|=
中国有色金属学会|Nonferrous Metals Society of China|45040,43040|=
中国腐蚀与防护学会|Chinese Society for Corrosion and Protection|43020|=
中国复合材料学会|Chinese Society for Composite Materials|43055|=
中国硅酸盐学会|Chinese Ceramic Society|43045,56025|=
中国化工学会|Chemical Industry and Engineering Society of China|530,53030,53075|=
中国石油学会|Chinese Petroleum Society|44050,53070|=
中国煤炭学会|China Coal Society|440,44035|=
中国职业安全健康协会|China Occupational Safety and Health Association|620,62030,44075|=
中国消防协会|China Fire Protection Association|62070|=
中国灾害防御协会|China Disaster Prevention Association|62070,17050|=
中国造纸学会|China Technical Association of Paper Industry|530|-
中国纺织工程学会|China Textile Engineering Society|540,54020|=
中国食品科学技术学会|Chinese Institute of Food Science and Technology|550,55020,55030|=
中国粮油学会|Chinese Cereals and Oils Association|55070|=
中国土木工程学会|China Civil Engineering Society|560,56030,56045|=
中国建筑学会|Architectural Society of China|56040,56030|=
中国城市科学研究会|Chinese Society for Urban Studies|56055,56040|=
中国岩石力学与工程学会|Chinese Society for Rock Mechanics and Engineering|41030,56045|=
中国水利学会|Chinese Hydraulic Engineering Society|570,57025,57065|=
中国水力发电工程学会|China Society for Hydropower Engineering|57025|=
中国水土保持学会|Chinese Society of Soil and Water Conservation|57055|-
中国公路学会|China Highway and Transportation Society|58010,58020,58070|=
中国铁道学会|China Railway Society|58030|=
中国航海学会|China Institute of Navigation|58040|-
中国造船工程学会|Chinese Society of Naval Architects and Marine Engineers|58040|=
中国航空学会|Chinese Society of Aeronautics and Astronautics|590,59015|=
中国宇航学会|Chinese Society of Astronautics|590|-
中国测绘学会|Chinese Society for Geodesy, Photogrammetry and Cartography|420,42020|=
中国环境科学学会|Chinese Society for Environmental Sciences|610,61020,61030|=
中国自然资源学会|China Society of Natural Resources|61040|=
中国可持续发展研究会|China Society for Sustainable Development|610|-
中国农学会|China Association of Agricultural Science Societies|210,21030|=
中国作物学会|Crop Science Society of China|21030|=
中国园艺学会|Chinese Society for Horticultural Science|21040|=
中国茶叶学会|China Tea Science Society|21040|=
中国土壤学会|Soil Science Society of China|21050|=
中国植物保护学会|China Society of Plant Protection|21060|=
中国农业工程学会|Chinese Society of Agricultural Engineering|21070|=
中国农业机械学会|Chinese Society for Agricultural Machinery|21070|=
中国林学会|Chinese Society of Forestry|220,22030,22080|=
中国风景园林学会|Chinese Society of Landscape Architecture|22090|=
中国畜牧兽医学会|Chinese Association of Animal Science and Veterinary Medicine|230,23020,23030|=
中国水产学会|China Society of Fisheries|240,24020|=
中华医学会|Chinese Medical Association|320,310,32024,32027|重庆市医学会
中华预防医学会|Chinese Preventive Medicine Association|330,33021|重庆市预防医学会
中华护理学会|Chinese Nursing Association|32071|重庆市护理学会
中华口腔医学会|Chinese Stomatological Association|320|重庆市口腔医学会
中国药学会|Chinese Pharmaceutical Association|350,35035,35010|=
中国药理学会|Chinese Pharmacological Society|31047|=
中华中医药学会|China Association of Chinese Medicine|360,36010,36040|重庆市中医药学会
中国中西医结合学会|Chinese Association of Integrative Medicine|36030|=
中国针灸学会|China Association of Acupuncture-Moxibustion|36010|=
中国抗癌协会|China Anti-Cancer Association|32067|=
中国康复医学会|Chinese Association of Rehabilitation Medicine|320|=
中国免疫学会|Chinese Society for Immunology|31034|=
中国营养学会|Chinese Nutrition Society|33011|=
中国毒理学会|Chinese Society of Toxicology|33014|-
中国生物医学工程学会|Chinese Society of Biomedical Engineering|43060,32011|=
中国生物工程学会|Chinese Society of Biotechnology|53095,35020|=
中国医学影像技术研究会|Chinese Association of Medical Imaging Technology|32011|-
中国科学学与科技政策研究会|Chinese Association for Science of Science and S&T Policy Research|63035|=
中国管理现代化研究会|China Society of Management Modernization|630,63040,63050|=
中国优选法统筹法与经济数学研究会|Chinese Society of Optimization, Overall Planning and Economic Mathematics|11074,630|=
中国技术经济学会|Chinese Society of Technology Economics|79031|=
中国科学技术情报学会|China Society for Scientific and Technical Information|87030|=
中国标准化协会|China Association for Standardization|630|=
中国质量协会|China Association for Quality|63050|=
中国区域科学协会|Regional Science Association of China|79037|=
中国物流学会|China Society of Logistics|79043,63050|=
中国农业经济学会|Chinese Society of Agricultural Economics|79049|=
中国法学会知识产权法学研究会|China Intellectual Property Law Society|82030|-
中国高等教育学会|China Association of Higher Education|88041|=
中国职业技术教育学会|Chinese Society of Vocational and Technical Education|88044|=
中国体育科学学会|China Sport Science Society|890|=
中国科普作家协会|China Science Writers Association|86060|=
中国自然辩证法研究会|Chinese Society for Dialectics of Nature|720|-
"""

# Chongqing societies with no national counterpart (regional topics, new fields).
_MUNICIPAL_ONLY: Final = """
重庆市智能网联汽车学会|Chongqing Society of Intelligent Connected Vehicles|41310,58020|2018
重庆市集成电路学会|Chongqing Integrated Circuit Society|51030|2019
重庆市大数据学会|Chongqing Big Data Society|52040,52060|2017
重庆市山地城市学会|Chongqing Society of Mountain Cities|56040,56055|2012
重庆市三峡库区生态环境学会|Chongqing Society of Three Gorges Reservoir Ecology and Environment|61020,18041|2004
重庆市地质灾害防治学会|Chongqing Society of Geological Hazard Prevention|17050,41030|2009
重庆市柑橘学会|Chongqing Citrus Society|21040,21060|1998
重庆市榨菜产业技术研究会|Chongqing Zhacai Industry Technology Society|55020,21040|2011
重庆市生猪产业学会|Chongqing Pig Industry Society|23020,23030|2013
重庆市火锅食品学会|Chongqing Hotpot Food Society|55020|2016
重庆市工业互联网学会|Chongqing Industrial Internet Society|52060,41340|2020
重庆市氢能学会|Chongqing Hydrogen Energy Society|48040|2021
重庆市轨道交通学会|Chongqing Rail Transit Society|58030|2008
重庆市内河航运学会|Chongqing Inland Shipping Society|58040|2003
重庆市乡村振兴研究会|Chongqing Rural Revitalization Research Society|79049|2019
重庆市中药材产业学会|Chongqing Chinese Herbal Medicine Industry Society|36040|2014
重庆市镁合金学会|Chongqing Magnesium Alloy Society|43040|2010
重庆市数字经济学会|Chongqing Digital Economy Society|79031|2021
重庆市页岩气学会|Chongqing Shale Gas Society|53070,44050|2015
"""

# District-level societies: name | English | disciplines | district | founded
_DISTRICT: Final = """
涪陵区榨菜学会|Fuling Zhacai Society|55020,21040|涪陵区|2006
荣昌区畜牧兽医学会|Rongchang Animal Husbandry and Veterinary Society|23020,23030|荣昌区|1996
江津区花椒学会|Jiangjin Sichuan Pepper Society|22080|江津区|2012
奉节县柑橘学会|Fengjie Citrus Society|21040|奉节县|2009
永川区茶叶学会|Yongchuan Tea Society|21040|永川区|2011
石柱县中药材学会|Shizhu Herbal Medicine Society|36040|石柱土家族自治县|2015
万州区医学会|Wanzhou Medical Association|320|万州区|1990
万州区机械工程学会|Wanzhou Mechanical Engineering Society|460|万州区|2001
长寿区化工学会|Changshou Chemical Engineering Society|530|长寿区|2005
璧山区智能装备学会|Bishan Intelligent Equipment Society|46020,41310|璧山区|2018
大足区五金学会|Dazu Hardware Society|46025|大足区|2010
黔江区农学会|Qianjiang Agricultural Society|210|黔江区|2003
合川区农学会|Hechuan Agricultural Society|210|合川区|2000
渝北区电子学会|Yubei Electronics Society|510|渝北区|2014
沙坪坝区计算机学会|Shapingba Computer Society|520|沙坪坝区|2016
南岸区医学会|Nan'an Medical Association|320|南岸区|1998
九龙坡区机械工程学会|Jiulongpo Mechanical Engineering Society|460|九龙坡区|2004
北碚区生态学会|Beibei Ecological Society|18041|北碚区|2008
开州区农学会|Kaizhou Agricultural Society|210|开州区|2002
秀山县茶叶学会|Xiushan Tea Society|21040|秀山土家族苗族自治县|2017
"""


def _codes(field: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in field.split(",") if c.strip())


def _municipal_name(national: str) -> str:
    for prefix in ("中国", "中华"):
        if national.startswith(prefix):
            return "重庆市" + national[len(prefix) :]
    return "重庆市" + national


def _municipal_en(national_en: str) -> str:
    for old in ("Chinese ", "China ", "of China", "in China"):
        national_en = national_en.replace(old, "")
    return "Chongqing " + national_en.strip()


def _parse() -> tuple[tuple[NationalSociety, ...], tuple[MunicipalSociety, ...]]:
    national: list[NationalSociety] = []
    municipal: list[MunicipalSociety] = []
    for line in _NATIONAL.strip().splitlines():
        name, name_en, codes, muni = line.split("|")
        muni_name = None if muni == "-" else _municipal_name(name) if muni == "=" else muni
        national.append(NationalSociety(name, name_en, _codes(codes), muni_name))
        if muni_name is not None:
            municipal.append(
                MunicipalSociety(muni_name, _municipal_en(name_en), _codes(codes), (name,))
            )
    for line in _MUNICIPAL_ONLY.strip().splitlines():
        name, name_en, codes, year = line.split("|")
        municipal.append(MunicipalSociety(name, name_en, _codes(codes), (), None, int(year)))
    return tuple(national), tuple(municipal)


def _parse_district() -> tuple[MunicipalSociety, ...]:
    out = []
    for line in _DISTRICT.strip().splitlines():
        name, name_en, codes, district, year = line.split("|")
        out.append(MunicipalSociety(name, name_en, _codes(codes), (), district, int(year)))
    return tuple(out)


NATIONAL_SOCIETIES, MUNICIPAL_SOCIETIES = _parse()
DISTRICT_SOCIETIES: Final[tuple[MunicipalSociety, ...]] = _parse_district()
