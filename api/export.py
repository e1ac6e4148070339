"""Meeting sheets: a team, panel or consortium as an Excel workbook (.xlsx, openpyxl).

One sheet: the request (title, enterprise or issuer or theme), the date, the status, then one
row per member with title, institution and the reasons, and contact columns only when the
caller may see them. Every cell is written as text or a number, never as a formula: a value
that starts with ``=`` (a name, a title) stays text, as in the CSV exports.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["SheetLang", "MeetingSheet", "workbook_bytes", "XLSX_MEDIA_TYPE", "T"]

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SheetLang = Literal["zh", "en"]

#: Every text the sheet writes, Chinese first.
T: Final[dict[SheetLang, dict[str, str]]] = {
    "zh": {
        "team": "专家服务队",
        "panel": "智库专家组",
        "consortium": "创新联合体",
        "request": "需求",
        "topic": "课题",
        "theme": "主题",
        "enterprise": "企业",
        "issuer": "委托单位",
        "date": "日期",
        "status": "状态",
        "exported": "导出时间",
        "no": "序号",
        "name": "姓名",
        "org": "单位",
        "role": "角色",
        "kind": "类型",
        "title": "职称",
        "institution": "单位",
        "societies": "学会（等级）",
        "skills": "覆盖技能 / 学科",
        "reasons": "推荐理由",
        "contribution": "贡献",
        "ties": "已有联系",
        "email": "电子邮箱",
        "phone": "电话",
        "feedback": "反馈",
        "members": "成员",
        "status.proposed": "待确认",
        "status.confirmed": "已确认",
        "status.declined": "已作废",
        "role.lead": "负责人",
        "role.member": "成员",
        "kind.enterprise": "企业",
        "kind.university": "高校",
        "kind.institute": "科研院所",
        "kind.society": "学会",
        "kind.national_society": "国家级学会",
        "grade.student_member": "学生会员",
        "grade.member": "会员",
        "grade.senior_member": "高级会员",
        "grade.fellow": "会士",
        "accepted.true": "已接受",
        "accepted.false": "已谢绝",
        "rating": "评分 {n}",
    },
    "en": {
        "team": "Expert service team",
        "panel": "Think-tank panel",
        "consortium": "Consortium",
        "request": "Demand",
        "topic": "Topic",
        "theme": "Theme",
        "enterprise": "Enterprise",
        "issuer": "Issued by",
        "date": "Date",
        "status": "Status",
        "exported": "Exported",
        "no": "No.",
        "name": "Name",
        "org": "Organisation",
        "role": "Role",
        "kind": "Kind",
        "title": "Title",
        "institution": "Institution",
        "societies": "Societies (grade)",
        "skills": "Skills / disciplines",
        "reasons": "Why",
        "contribution": "Contribution",
        "ties": "Existing ties",
        "email": "Email",
        "phone": "Phone",
        "feedback": "Feedback",
        "members": "Members",
        "status.proposed": "proposed",
        "status.confirmed": "confirmed",
        "status.declined": "declined",
        "role.lead": "lead",
        "role.member": "member",
        "kind.enterprise": "Enterprise",
        "kind.university": "University",
        "kind.institute": "Institute",
        "kind.society": "Society",
        "kind.national_society": "National society",
        "grade.student_member": "Student member",
        "grade.member": "Member",
        "grade.senior_member": "Senior member",
        "grade.fellow": "Fellow",
        "accepted.true": "accepted",
        "accepted.false": "declined",
        "rating": "rating {n}",
    },
}


@dataclass(frozen=True)
class MeetingSheet:
    """What one sheet shows.

    Attributes:
        heading: the first line (e.g. "专家服务队：动力电池热管理优化").
        facts: (label, value) lines under it: request, enterprise, date, status.
        columns: member table header.
        rows: one per member, cells in ``columns`` order.
    """

    heading: str
    facts: Sequence[tuple[str, str]]
    columns: Sequence[str]
    rows: Sequence[Sequence[str | int | float | None]] = field(default_factory=list)


def _text(cell: Cell, value: str | int | float | None) -> None:
    """Write a value; strings always as text (never a formula, whatever they start with)."""
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def workbook_bytes(sheet: MeetingSheet, *, sheet_title: str = "Sheet") -> bytes:
    """The sheet as an .xlsx file.

    Example:
        >>> data = workbook_bytes(MeetingSheet("专家服务队", [("状态", "待确认")], ["姓名"], [["陈静"]]))
        >>> data[:2] == b"PK"
        True
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = sheet_title[:31]
    _text(ws.cell(row=1, column=1), sheet.heading)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    r = 2
    for label, value in sheet.facts:
        _text(ws.cell(row=r, column=1), label)
        ws.cell(row=r, column=1).font = Font(bold=True)
        _text(ws.cell(row=r, column=2), value)
        r += 1
    r += 1
    header_row = r
    fill = PatternFill("solid", fgColor="F0F3F7")
    for j, name in enumerate(sheet.columns, start=1):
        c = ws.cell(row=r, column=j)
        _text(c, name)
        c.font = Font(bold=True)
        c.fill = fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        r += 1
        for j, cell_value in enumerate(row, start=1):
            c = ws.cell(row=r, column=j)
            _text(c, cell_value)
            c.alignment = wrap
    for j, name in enumerate(sheet.columns, start=1):
        longest = max([len(str(name))] + [len(str(row[j - 1] or "")) for row in sheet.rows])
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(60, longest * 1.6 + 2))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
