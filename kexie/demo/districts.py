"""The 38 administrative districts and counties of Chongqing (GB/T 2260 codes).

``tier`` says how central a unit is: 1 = the central urban districts, 2 = the main
districts outside the core, 3 = the north-east and south-east (渝东北, 渝东南) and other
remote units. The generator weights people, enterprises and society presences by tier so
that coverage is uneven the way it is in reality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["District", "DISTRICTS", "TIER_WEIGHT", "district_by_name"]


@dataclass(frozen=True)
class District:
    """One district or county."""

    code: str
    name: str
    name_en: str
    kind: Literal["district", "county"]
    tier: int


def _d(code: str, name: str, name_en: str, tier: int) -> District:
    kind: Literal["district", "county"] = "county" if code[3] == "2" else "district"
    return District(code, name, name_en, kind, tier)


DISTRICTS: Final[tuple[District, ...]] = (
    _d("500101", "万州区", "Wanzhou District", 2),
    _d("500102", "涪陵区", "Fuling District", 2),
    _d("500103", "渝中区", "Yuzhong District", 1),
    _d("500104", "大渡口区", "Dadukou District", 1),
    _d("500105", "江北区", "Jiangbei District", 1),
    _d("500106", "沙坪坝区", "Shapingba District", 1),
    _d("500107", "九龙坡区", "Jiulongpo District", 1),
    _d("500108", "南岸区", "Nan'an District", 1),
    _d("500109", "北碚区", "Beibei District", 1),
    _d("500110", "綦江区", "Qijiang District", 2),
    _d("500111", "大足区", "Dazu District", 2),
    _d("500112", "渝北区", "Yubei District", 1),
    _d("500113", "巴南区", "Banan District", 1),
    _d("500114", "黔江区", "Qianjiang District", 3),
    _d("500115", "长寿区", "Changshou District", 2),
    _d("500116", "江津区", "Jiangjin District", 2),
    _d("500117", "合川区", "Hechuan District", 2),
    _d("500118", "永川区", "Yongchuan District", 2),
    _d("500119", "南川区", "Nanchuan District", 2),
    _d("500120", "璧山区", "Bishan District", 2),
    _d("500151", "铜梁区", "Tongliang District", 2),
    _d("500152", "潼南区", "Tongnan District", 2),
    _d("500153", "荣昌区", "Rongchang District", 2),
    _d("500154", "开州区", "Kaizhou District", 3),
    _d("500155", "梁平区", "Liangping District", 3),
    _d("500156", "武隆区", "Wulong District", 3),
    _d("500229", "城口县", "Chengkou County", 3),
    _d("500230", "丰都县", "Fengdu County", 3),
    _d("500231", "垫江县", "Dianjiang County", 3),
    _d("500233", "忠县", "Zhong County", 3),
    _d("500235", "云阳县", "Yunyang County", 3),
    _d("500236", "奉节县", "Fengjie County", 3),
    _d("500237", "巫山县", "Wushan County", 3),
    _d("500238", "巫溪县", "Wuxi County", 3),
    _d("500240", "石柱土家族自治县", "Shizhu Tujia Autonomous County", 3),
    _d("500241", "秀山土家族苗族自治县", "Xiushan Tujia and Miao Autonomous County", 3),
    _d("500242", "酉阳土家族苗族自治县", "Youyang Tujia and Miao Autonomous County", 3),
    _d("500243", "彭水苗族土家族自治县", "Pengshui Miao and Tujia Autonomous County", 3),
)

TIER_WEIGHT: Final[dict[int, float]] = {1: 10.0, 2: 3.0, 3: 1.0}

_BY_NAME: Final = {d.name: d for d in DISTRICTS}


def district_by_name(name: str) -> District:
    """Look a district up by its Chinese name (``"沙坪坝区"``).

    Raises:
        KeyError: when no district has that name.
    """
    return _BY_NAME[name]
