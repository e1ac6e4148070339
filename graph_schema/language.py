"""Which language a text is written in, by script: the one ``detect_lang`` of the project.

The importer stores it on evidence (``lang``), the demo generator checks its texts with it, and
retrieval picks its fusion weights by it (:func:`matcher.text.detect_lang` is this function).
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = ["Lang", "CJK_RANGES", "detect_lang"]

Lang = Literal["zh", "en", "mixed"]

#: The CJK unified ideographs (extension A, the main block, the compatibility block).
CJK_RANGES: Final = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE: Final = re.compile(rf"[{CJK_RANGES}]")
_LATIN_WORD_RE: Final = re.compile(r"[A-Za-z]{2,}")


def detect_lang(text: str) -> Lang:
    """Tell Chinese, English and mixed text apart by script: ``mixed`` when it has Chinese
    characters and more than one Latin word (two letters or more) per four of them, ``zh``
    with Chinese characters otherwise, ``en`` without any.

    Example:
        >>> detect_lang("基于深度学习的图像识别"), detect_lang("graph neural networks")
        ('zh', 'en')
        >>> detect_lang("liquid cooling plate 液冷")
        'mixed'
    """
    cjk = len(_CJK_RE.findall(text))
    latin = len(_LATIN_WORD_RE.findall(text))
    if cjk and latin and latin * 4 > cjk:
        return "mixed"
    return "zh" if cjk else "en"
