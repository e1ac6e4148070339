"""Real Chongqing universities and research institutes, and the fictional enterprises' industries.

Universities and institutes are real and sit in their real districts (main campus); the
disciplines listed are the research fields the generator staffs them with, chosen among the
disciplines that have vocabulary clusters. Three hospitals and the municipal CDC are listed as
institutes because the graph has no hospital kind. Enterprises are fictional; their industries
are Chongqing's real industrial clusters, with the districts where each cluster concentrates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "Institution",
    "Industry",
    "UNIVERSITIES",
    "INSTITUTES",
    "INDUSTRIES",
    "NAME_PREFIXES",
    "NAME_CORES",
]


@dataclass(frozen=True)
class Institution:
    """A university or an institute; ``weight`` is its relative number of scientists."""

    id: str
    kind: Literal["university", "institute"]
    name: str
    name_en: str
    district: str  # Chinese district name
    disciplines: tuple[str, ...]
    weight: float
    medical: bool = False


@dataclass(frozen=True)
class Industry:
    """An industrial cluster: disciplines, favoured districts, company-name suffixes."""

    key: str
    name: str
    name_en: str
    share: float
    disciplines: tuple[str, ...]
    districts: tuple[str, ...]
    suffixes: tuple[tuple[str, str], ...]


def _c(codes: str) -> tuple[str, ...]:
    return tuple(codes.split())


UNIVERSITIES: Final[tuple[Institution, ...]] = (
    Institution(
        "uni-cqu",
        "university",
        "重庆大学",
        "Chongqing University",
        "沙坪坝区",
        _c(
            "52020 52040 41310 51030 46020 46025 46035 46040 47030 47040 48040 58020 "
            "43040 43055 56030 56045 56040 56055 61030 44035 62030 63035 63050 79031 "
            "79037 14050 11074 32067"
        ),
        10.0,
    ),
    Institution(
        "uni-swu",
        "university",
        "西南大学",
        "Southwest University",
        "北碚区",
        _c(
            "21040 21030 21060 23020 24020 55020 55030 18057 18041 15025 52020 88044 "
            "79049 61020 36040 11067 22080 43065"
        ),
        8.0,
    ),
    Institution(
        "uni-cqmu",
        "university",
        "重庆医科大学",
        "Chongqing Medical University",
        "渝中区",
        _c("32024 32027 32067 32034 32054 32011 33021 35035 35020 36010 18057"),
        7.0,
        medical=True,
    ),
    Institution(
        "uni-cqupt",
        "university",
        "重庆邮电大学",
        "Chongqing University of Posts and Telecommunications",
        "南岸区",
        _c("51050 51030 51010 52020 52040 52060 41330 41310 63040 79031"),
        6.0,
    ),
    Institution(
        "uni-cqjtu",
        "university",
        "重庆交通大学",
        "Chongqing Jiaotong University",
        "南岸区",
        _c("58010 58070 58040 56030 56045 57025 17050 46020 58020 43055"),
        5.0,
    ),
    Institution(
        "uni-cqut",
        "university",
        "重庆理工大学",
        "Chongqing University of Technology",
        "巴南区",
        _c("58020 47030 46020 46025 46040 41310 52020 63040 43040"),
        4.0,
    ),
    Institution(
        "uni-ctbu",
        "university",
        "重庆工商大学",
        "Chongqing Technology and Business University",
        "南岸区",
        _c("79031 79037 79043 63040 63050 55020 57040 61030 11067"),
        3.0,
    ),
    Institution(
        "uni-cqnu",
        "university",
        "重庆师范大学",
        "Chongqing Normal University",
        "沙坪坝区",
        _c("11074 14050 18041 61040 88044 52020 15025"),
        3.0,
    ),
    Institution(
        "uni-swupl",
        "university",
        "西南政法大学",
        "Southwest University of Political Science and Law",
        "渝北区",
        _c("82030 63035 79037"),
        2.0,
    ),
    Institution(
        "uni-amu",
        "university",
        "陆军军医大学",
        "Army Medical University",
        "沙坪坝区",
        _c("32027 32024 32054 32011 33021 35020 32067"),
        5.0,
        medical=True,
    ),
    Institution(
        "uni-sanxiau",
        "university",
        "重庆三峡学院",
        "Chongqing Three Gorges University",
        "万州区",
        _c("61020 17050 21040 55020 79049"),
        2.0,
    ),
    Institution(
        "uni-yznu",
        "university",
        "长江师范学院",
        "Yangtze Normal University",
        "涪陵区",
        _c("55020 21040 61020 15025"),
        1.5,
    ),
    Institution(
        "uni-cqwu",
        "university",
        "重庆文理学院",
        "Chongqing University of Arts and Sciences",
        "永川区",
        _c("21040 43065 52060 36040"),
        1.5,
    ),
    Institution(
        "uni-cqust",
        "university",
        "重庆科技大学",
        "Chongqing University of Science and Technology",
        "沙坪坝区",
        _c("53070 44035 45035 62030 53030 43040 47040"),
        3.0,
    ),
    Institution(
        "uni-cqctcm",
        "university",
        "重庆中医药学院",
        "Chongqing College of Traditional Chinese Medicine",
        "璧山区",
        _c("36010 36040"),
        1.5,
        medical=True,
    ),
    Institution(
        "uni-cqcmc",
        "university",
        "重庆移通学院",
        "Chongqing College of Mobile Communication",
        "合川区",
        _c("51050 52040"),
        1.0,
    ),
    Institution(
        "uni-cqipc",
        "university",
        "重庆工业职业技术学院",
        "Chongqing Industry Polytechnic College",
        "渝北区",
        _c("46025 88044"),
        1.0,
    ),
)

INSTITUTES: Final[tuple[Institution, ...]] = (
    Institution(
        "ins-cigit",
        "institute",
        "中国科学院重庆绿色智能技术研究院",
        "Chongqing Institute of Green and Intelligent Technology, CAS",
        "北碚区",
        _c("52020 43065 61020 51020 41310 32011"),
        3.0,
    ),
    Institution(
        "ins-cqaas",
        "institute",
        "重庆市农业科学院",
        "Chongqing Academy of Agricultural Sciences",
        "九龙坡区",
        _c("21030 21040 21060 21070 55030"),
        3.0,
    ),
    Institution(
        "ins-caeri",
        "institute",
        "中国汽车工程研究院股份有限公司",
        "China Automotive Engineering Research Institute",
        "渝北区",
        _c("58020 46020 47030 48040 41310 51050"),
        2.0,
    ),
    Institution(
        "ins-cqaas-animal",
        "institute",
        "重庆市畜牧科学院",
        "Chongqing Academy of Animal Sciences",
        "荣昌区",
        _c("23020 23030 24020"),
        1.5,
    ),
    Institution(
        "ins-ccteg-cq",
        "institute",
        "中煤科工集团重庆研究院有限公司",
        "CCTEG Chongqing Research Institute",
        "九龙坡区",
        _c("44035 62030 62070"),
        1.5,
    ),
    Institution(
        "ins-cetc24",
        "institute",
        "中国电子科技集团公司第二十四研究所",
        "CETC 24th Research Institute",
        "南岸区",
        _c("51030 51010"),
        1.5,
    ),
    Institution(
        "ins-cetc26",
        "institute",
        "中国电子科技集团公司第二十六研究所",
        "CETC 26th Research Institute",
        "南岸区",
        _c("51030 51020"),
        1.0,
    ),
    Institution(
        "ins-cmct",
        "institute",
        "招商局重庆交通科研设计院有限公司",
        "China Merchants Chongqing Communications Technology Research & Design Institute",
        "南岸区",
        _c("58010 56030 56045 62070"),
        1.5,
    ),
    Institution(
        "ins-cqacmm",
        "institute",
        "重庆市中药研究院",
        "Chongqing Academy of Chinese Materia Medica",
        "南岸区",
        _c("36040 35035"),
        1.0,
    ),
    Institution(
        "ins-cqaes",
        "institute",
        "重庆市生态环境科学研究院",
        "Chongqing Academy of Eco-Environmental Sciences",
        "渝北区",
        _c("61020 61030 57040"),
        1.0,
    ),
    Institution(
        "ins-cqast",
        "institute",
        "重庆市科学技术研究院",
        "Chongqing Academy of Science and Technology",
        "渝北区",
        _c("52060 63035 45040 48050"),
        1.0,
    ),
    Institution(
        "ins-cqabr",
        "institute",
        "重庆市建筑科学研究院有限公司",
        "Chongqing Academy of Building Research",
        "渝中区",
        _c("56025 56030 48050"),
        1.0,
    ),
    Institution(
        "ins-cqaf",
        "institute",
        "重庆市林业科学研究院",
        "Chongqing Academy of Forestry",
        "沙坪坝区",
        _c("22080 18041"),
        0.8,
    ),
    Institution(
        "ins-cqamqi",
        "institute",
        "重庆市计量质量检测研究院",
        "Chongqing Academy of Metrology and Quality Inspection",
        "渝北区",
        _c("46040 15025"),
        0.8,
    ),
    Institution(
        "ins-cqigmr",
        "institute",
        "重庆地质矿产研究院",
        "Chongqing Institute of Geology and Mineral Resources",
        "南岸区",
        _c("17050 53070 61040"),
        1.0,
    ),
    Institution(
        "ins-cqgh",
        "institute",
        "重庆市人民医院",
        "Chongqing General Hospital",
        "渝中区",
        _c("32024 32027 32011"),
        1.5,
        medical=True,
    ),
    Institution(
        "ins-cqcdc",
        "institute",
        "重庆市疾病预防控制中心",
        "Chongqing Center for Disease Control and Prevention",
        "渝中区",
        _c("33021"),
        1.0,
    ),
    Institution(
        "ins-cqch",
        "institute",
        "重庆大学附属肿瘤医院",
        "Chongqing University Cancer Hospital",
        "沙坪坝区",
        _c("32067"),
        1.0,
        medical=True,
    ),
    Institution(
        "ins-cqtcmh",
        "institute",
        "重庆市中医院",
        "Chongqing Hospital of Traditional Chinese Medicine",
        "渝中区",
        _c("36010"),
        1.0,
        medical=True,
    ),
)


def _s(pairs: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in pairs.split(";"):
        zh, en = part.split("|")
        out.append((zh.strip(), en.strip()))
    return tuple(out)


INDUSTRIES: Final[tuple[Industry, ...]] = (
    Industry(
        "auto",
        "智能网联新能源汽车",
        "Intelligent connected new energy vehicles",
        0.16,
        _c("58020 47030 48040 41310 46020 47040 51050 41330"),
        ("渝北区", "江北区", "璧山区", "巴南区", "九龙坡区", "铜梁区", "涪陵区", "长寿区"),
        _s(
            "汽车零部件|Auto Parts; 新能源科技|New Energy Technology; 智能驾驶科技|Intelligent "
            "Driving Technology; 动力系统|Powertrain; 电驱动科技|E-Drive Technology; "
            "汽车电子|Automotive Electronics"
        ),
    ),
    Industry(
        "ict",
        "电子信息与集成电路",
        "Electronics and integrated circuits",
        0.12,
        _c("51030 51010 51050 51020 52020"),
        ("沙坪坝区", "渝北区", "南岸区", "九龙坡区", "璧山区", "江北区"),
        _s(
            "半导体|Semiconductor; 微电子|Microelectronics; 电子科技|Electronic Technology; "
            "光电技术|Optoelectronics; 通信技术|Communication Technology"
        ),
    ),
    Industry(
        "equip",
        "装备制造",
        "Equipment manufacturing",
        0.14,
        _c("46020 46025 46035 46040 41310 43040"),
        ("九龙坡区", "巴南区", "江津区", "大足区", "璧山区", "永川区", "万州区", "綦江区"),
        _s(
            "智能装备|Intelligent Equipment; 机床|Machine Tool; 精密机械|Precision Machinery; "
            "机器人|Robotics; 仪器仪表|Instruments"
        ),
    ),
    Industry(
        "mat",
        "新材料",
        "New materials",
        0.08,
        _c("43040 43050 43055 43065 43045 45040 45035"),
        ("长寿区", "涪陵区", "九龙坡区", "大渡口区", "南川区", "綦江区"),
        _s("新材料|New Materials; 轻合金|Light Alloy; 复合材料|Composites; 玻璃纤维|Glass Fibre"),
    ),
    Industry(
        "bio",
        "生物医药",
        "Biomedicine",
        0.08,
        _c("53090 35035 35020 53095 36040 32011"),
        ("巴南区", "北碚区", "渝北区", "沙坪坝区", "南岸区", "荣昌区"),
        _s(
            "生物医药|Biomedical; 制药|Pharmaceutical; 医疗器械|Medical Devices; "
            "生物技术|Biotechnology; 中药|Chinese Medicine"
        ),
    ),
    Industry(
        "food",
        "消费品与食品",
        "Consumer goods and food",
        0.10,
        _c("55020 55030 55070 18057"),
        ("涪陵区", "江津区", "九龙坡区", "巴南区", "荣昌区", "忠县", "南岸区", "石柱土家族自治县"),
        _s("食品|Food; 调味品|Condiments; 火锅食品|Hotpot Food; 榨菜|Zhacai; 粮油|Grain and Oil"),
    ),
    Industry(
        "energy",
        "能源化工",
        "Energy and chemicals",
        0.06,
        _c("53030 53070 53075 47040 48040 62030 48050"),
        ("长寿区", "涪陵区", "万州区", "綦江区", "南川区"),
        _s("化工|Chemical; 天然气|Natural Gas; 能源|Energy; 电力科技|Power Technology"),
    ),
    Industry(
        "agri",
        "现代农业",
        "Modern agriculture",
        0.08,
        _c("21040 21030 21060 21070 23020 23030 24020 22080"),
        (
            "奉节县",
            "忠县",
            "荣昌区",
            "江津区",
            "潼南区",
            "开州区",
            "云阳县",
            "永川区",
            "梁平区",
            "秀山土家族苗族自治县",
            "酉阳土家族苗族自治县",
            "巫山县",
        ),
        _s(
            "农业开发|Agricultural Development; 生态农业|Eco-Agriculture; 柑橘|Citrus; "
            "牧业|Animal Husbandry; 种业|Seeds"
        ),
    ),
    Industry(
        "soft",
        "软件与信息服务",
        "Software and information services",
        0.10,
        _c("52020 52040 52060 41330 51050"),
        ("渝北区", "南岸区", "江北区", "渝中区", "沙坪坝区", "九龙坡区"),
        _s(
            "信息技术|Information Technology; 软件|Software; 数据科技|Data Technology; "
            "网络科技|Network Technology; 智能科技|Intelligent Technology"
        ),
    ),
    Industry(
        "build",
        "建筑与交通",
        "Construction and transport",
        0.06,
        _c("56030 56045 56025 56055 58010 58030 56040 17050"),
        ("渝中区", "渝北区", "九龙坡区", "南岸区", "江北区", "万州区"),
        _s(
            "建设工程|Construction Engineering; 路桥|Road and Bridge; 建筑设计|Architectural "
            "Design; 交通科技|Transportation Technology; 岩土工程|Geotechnical Engineering"
        ),
    ),
    Industry(
        "env",
        "节能环保",
        "Energy saving and environmental protection",
        0.04,
        _c("61030 57040 61020 48050 61040"),
        ("渝北区", "九龙坡区", "长寿区", "永川区", "璧山区"),
        _s("环保科技|Environmental Technology; 水务|Water; 环境工程|Environmental Engineering"),
    ),
)

NAME_PREFIXES: Final[tuple[tuple[str, str], ...]] = _s(
    "渝新|Yuxin; 巴渝|Bayu; 两江|Liangjiang; 山城|Shancheng; 嘉陵|Jialing; 长江|Changjiang; "
    "缙云|Jinyun; 歌乐|Gele; 南山|Nanshan; 朝天|Chaotian; 鹅岭|Eling; 江城|Jiangcheng; "
    "渝通|Yutong; 渝丰|Yufeng; 渝源|Yuyuan; 金渝|Jinyu; 巴山|Bashan; 蜀渝|Shuyu; 川渝|Chuanyu; "
    "三峡|Sanxia; 华渝|Huayu; 中渝|Zhongyu; 西永|Xiyong; 渝鑫|Yuxin; 渝恒|Yuheng; 綦河|Qihe; "
    "乌江|Wujiang; 大巴|Daba; 武陵|Wuling; 渝东|Yudong"
)
NAME_CORES: Final[tuple[tuple[str, str], ...]] = _s(
    "科|ke; 创|chuang; 恒|heng; 瑞|rui; 达|da; 泰|tai; 博|bo; 宏|hong; 盛|sheng; 华|hua; "
    "立|li; 德|de; 安|an; 宇|yu; 凯|kai; 信|xin; 联|lian; 智|zhi; 捷|jie; 锐|rui"
)
