"""Chinese personal names: frequency-weighted surnames and gendered given-name characters.

Surname weights follow the published national frequencies (percent of the population,
rounded), nudged up for names common in Chongqing (谭, 向, 冉, 牟). Popular given names get
high weights on purpose, so that homonyms (重名) occur, as they do in real data: 王伟 and 李静
will exist at several institutions and exercise entity resolution.
"""

from __future__ import annotations

import random
from typing import Final

__all__ = ["SURNAMES", "GIVEN_MALE", "GIVEN_FEMALE", "GIVEN_FIRST", "NameMaker"]


def _parse(spec: str) -> tuple[tuple[str, str, float], ...]:
    out = []
    for item in spec.split():
        char, pinyin, weight = item.split(":")
        out.append((char, pinyin, float(weight)))
    return tuple(out)


SURNAMES: Final = _parse(
    "王:wang:7.1 李:li:7.0 张:zhang:6.7 刘:liu:5.4 陈:chen:4.6 杨:yang:3.1 黄:huang:2.2 "
    "赵:zhao:2.0 吴:wu:2.0 周:zhou:1.9 徐:xu:1.5 孙:sun:1.5 马:ma:1.4 朱:zhu:1.3 胡:hu:1.3 "
    "郭:guo:1.2 何:he:1.2 高:gao:1.1 林:lin:1.1 罗:luo:1.1 郑:zheng:1.0 梁:liang:1.0 "
    "谢:xie:0.8 宋:song:0.8 唐:tang:0.8 许:xu:0.7 韩:han:0.7 冯:feng:0.7 邓:deng:0.7 "
    "曹:cao:0.7 彭:peng:0.7 曾:zeng:0.6 肖:xiao:0.6 田:tian:0.6 董:dong:0.5 袁:yuan:0.5 "
    "潘:pan:0.5 于:yu:0.5 蒋:jiang:0.5 蔡:cai:0.5 余:yu:0.5 杜:du:0.5 叶:ye:0.4 程:cheng:0.4 "
    "苏:su:0.4 魏:wei:0.4 吕:lv:0.4 丁:ding:0.4 任:ren:0.4 沈:shen:0.4 姚:yao:0.4 卢:lu:0.4 "
    "姜:jiang:0.3 崔:cui:0.3 钟:zhong:0.3 谭:tan:0.8 陆:lu:0.3 汪:wang:0.3 范:fan:0.3 "
    "金:jin:0.3 石:shi:0.3 廖:liao:0.3 贾:jia:0.3 夏:xia:0.3 韦:wei:0.3 付:fu:0.3 方:fang:0.3 "
    "白:bai:0.2 邹:zou:0.2 孟:meng:0.2 熊:xiong:0.3 秦:qin:0.2 邱:qiu:0.2 江:jiang:0.2 "
    "尹:yin:0.2 薛:xue:0.2 闫:yan:0.2 段:duan:0.2 雷:lei:0.2 侯:hou:0.2 龙:long:0.2 史:shi:0.2 "
    "陶:tao:0.2 黎:li:0.2 贺:he:0.2 顾:gu:0.2 毛:mao:0.2 郝:hao:0.2 龚:gong:0.2 邵:shao:0.2 "
    "万:wan:0.2 钱:qian:0.1 严:yan:0.1 向:xiang:0.3 冉:ran:0.15 牟:mou:0.1 欧阳:ouyang:0.05 "
    "司马:sima:0.01 上官:shangguan:0.01"
)
GIVEN_MALE: Final = _parse(
    "伟:wei:9 强:qiang:6 磊:lei:6 军:jun:5 勇:yong:5 杰:jie:5 涛:tao:5 斌:bin:4 超:chao:4 "
    "明:ming:4 刚:gang:4 平:ping:3 辉:hui:4 鹏:peng:4 华:hua:3 飞:fei:3 鑫:xin:3 波:bo:3 "
    "宇:yu:3 浩:hao:3 凯:kai:2 健:jian:3 俊:jun:2 帆:fan:2 帅:shuai:2 旭:xu:2 宁:ning:2 "
    "龙:long:2 林:lin:2 亮:liang:2 峰:feng:3 毅:yi:2 翔:xiang:2 振:zhen:1 泽:ze:1 宏:hong:2 "
    "荣:rong:1 庆:qing:1 川:chuan:1 渝:yu:1 彬:bin:1 洋:yang:2 阳:yang:2 昊:hao:1 松:song:1"
)
GIVEN_FEMALE: Final = _parse(
    "芳:fang:8 娜:na:6 敏:min:6 静:jing:8 丽:li:6 艳:yan:5 燕:yan:4 霞:xia:4 玲:ling:4 "
    "婷:ting:4 雪:xue:3 琳:lin:3 慧:hui:3 颖:ying:3 洁:jie:3 倩:qian:3 莉:li:3 红:hong:3 "
    "梅:mei:3 娟:juan:4 晶:jing:2 瑶:yao:2 欣:xin:2 佳:jia:2 怡:yi:2 蕾:lei:2 薇:wei:2 "
    "萍:ping:2 璐:lu:2 晨:chen:2 月:yue:1 秀:xiu:1 丹:dan:2 露:lu:1 菲:fei:1 蓉:rong:2"
)
# First characters of two-character given names (used with both genders).
GIVEN_FIRST: Final = _parse(
    "晓:xiao:5 建:jian:4 志:zhi:4 文:wen:4 国:guo:3 海:hai:3 春:chun:3 子:zi:2 思:si:2 "
    "雨:yu:2 家:jia:3 天:tian:2 小:xiao:2 永:yong:3 立:li:2 新:xin:2 亚:ya:2 玉:yu:2 "
    "明:ming:2 俊:jun:2 宏:hong:2 雅:ya:1 嘉:jia:2 凤:feng:1 丽:li:1 德:de:1 成:cheng:2 "
    "光:guang:2 红:hong:1 振:zhen:1 一:yi:2 梓:zi:1 诗:shi:1 若:ruo:1 昌:chang:1 学:xue:2"
)


class NameMaker:
    """Draws names from one ``random.Random``; returns ``(name, name_en)``.

    Example:
        >>> NameMaker(random.Random(1)).make("M")[0]  # doctest: +SKIP
        '王建伟'
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surnames = SURNAMES
        self._sur_w = _cum(SURNAMES)
        self._male_w = _cum(GIVEN_MALE)
        self._female_w = _cum(GIVEN_FEMALE)
        self._first_w = _cum(GIVEN_FIRST)

    def make(self, gender: str) -> tuple[str, str]:
        rng = self._rng
        sur, sur_py, _ = rng.choices(self._surnames, cum_weights=self._sur_w)[0]
        pool, weights = (
            (GIVEN_MALE, self._male_w) if gender == "M" else (GIVEN_FEMALE, self._female_w)
        )
        last, last_py, _ = rng.choices(pool, cum_weights=weights)[0]
        if rng.random() < 0.35:
            given, given_py = last, last_py
        else:
            first, first_py, _ = rng.choices(GIVEN_FIRST, cum_weights=self._first_w)[0]
            given, given_py = first + last, first_py + last_py
        return sur + given, f"{given_py.capitalize()} {sur_py.capitalize()}"


def _cum(items: tuple[tuple[str, str, float], ...]) -> list[float]:
    total = 0.0
    out = []
    for _, _, w in items:
        total += w
        out.append(total)
    return out
