"""Chinese names of the request procedure's states, events and periods, for
the service's pages (the domain speaks English identifiers)."""

from __future__ import annotations

from datetime import date

STATES = {
    "submitted": "已受理，待审核转办",
    "rejected": "审核未通过（驳回）",
    "forwarded": "已转数据提供部门办理",
    "explanation_requested": "待申请人说明理由",
    "explanation_answered": "申请人已说明，部门审查中",
    "consulting": "征求第三方意见中",
    "not_processed": "不予处理",
    "approved": "同意开放，待提供数据",
    "denied": "不予开放",
    "delivered": "已提供数据",
    "withdrawn": "申请人已撤回",
}

EVENTS = {
    "submitted": "提交申请",
    "forwarded": "审核通过，转数据提供部门",
    "rejected": "审核未通过，申请被驳回",
    "explanation_requested": "要求申请人说明理由",
    "explanation_answered": "申请人提交说明",
    "explanation_judged": "对说明作出认定",
    "explanation_lapsed": "申请人逾期未说明理由，不予处理",
    "consultation_started": "书面征求第三方意见",
    "third_party_answered": "第三方答复",
    "objection_judged": "对第三方异议作出认定",
    "consultation_closed": "第三方意见征询结束",
    "extended": "经部门负责人批准延长答复期限",
    "approved": "同意开放",
    "third_party_notice_required": "需书面告知第三方开放内容和理由",
    "third_party_notified": "已书面告知第三方",
    "denied": "不予开放",
    "delivered": "提供数据",
    "withdrawn": "撤回申请",
    "use_reported": "报告数据使用情况",
}

PERIODS = {
    "normative_review": "规范性审核",
    "provider_reply": "数据提供部门答复",
    "explanation_answer": "申请人说明理由",
    "third_party": "第三方提出意见",
    "delivery": "提供数据",
    "third_party_notice": "书面告知第三方",
}

PROVISIONAL = "暂定"
PROVISIONAL_HINT = ("该年度国务院节假日安排尚未发布，此日期按《全国年节及纪念日放假办法》规定的"
                    "法定节假日暂定；安排发布后如有变动，将另行通知。")



def due_text(due: date, provisional: bool) -> str:
    """A due date as e-mails write it: ``2027-01-05``, or ``2027-01-05（暂定）``
    when it is counted through a year without its holiday notice."""
    return f"{due.isoformat()}（{PROVISIONAL}）" if provisional else due.isoformat()


DEADLINE_STATUS = {
    "running": "办理中",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "paused": "暂停计时",
}

ROLES = {
    "applicant": "申请人",
    "authority_reviewer": "大数据主管部门审核员",
    "department_reviewer": "数据提供部门审核员",
    "department_head": "部门负责人",
    "auditor": "审计员",
    "third_party": "第三方",
    "system": "平台",
}

DELIVERY = {"download": "数据下载", "api": "接口访问", "sandbox": "数据沙箱"}

COMMITMENT = (
    "一、所获取的数据仅用于本申请所述用途，在申请的使用范围和期限内使用，不擅自改变用途、扩大范围。",
    "二、不向任何第三方转让、出售、提供所获取的数据，不利用数据从事危害国家安全、公共利益或他人合法权益的活动。",
    "三、落实申请中所述的安全管理措施，防止数据泄露、篡改、丢失和非法使用；不试图重新识别经脱敏处理的个人信息。",
    "四、使用期限届满或用途完成后，按要求删除或销毁所获取的数据。",
    "五、按要求向数据提供部门报告数据使用情况和成果，接受有关部门的监督检查。",
    "六、违反本承诺的，愿意承担相应法律责任，并接受停止提供数据等处理。",
)
