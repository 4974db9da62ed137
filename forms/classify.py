"""What kind of document this is, from the words on it.

Scores are sums of weighted cue words found in the folded text (so both scripts and
full-width text count alike). OCR drops characters, so no single cue decides; a title
cue weighs most because it is printed largest and read best.
"""
from __future__ import annotations

import math
import re

from forms.text import fold

CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "business_license": (
        ("营业执照", 6), ("统一社会信用代码", 2), ("登记机关", 3), ("经营范围", 2.5), ("注册资本", 2),
        ("成立日期", 2), ("营业期限", 2.5), ("法定代表人", 1), ("住所", 1), ("市场监督管理", 2),
        ("国家企业信用信息公示系统", 3), ("副本", 1), ("经营场所", 1), ("类型", 0.5),
    ),
    "contract": (
        ("合同", 3), ("协议", 2.5), ("甲方", 2), ("乙方", 2), ("违约", 2), ("签订", 1.5),
        ("合同编号", 2), ("争议", 1), ("双方", 1.5), ("第一条", 1.5), ("第二条", 1), ("盖章", 0.5),
        ("合同金额", 2), ("大写", 1), ("委托方", 1), ("受托方", 1), ("买方", 1), ("卖方", 1),
        ("供方", 1), ("需方", 1), ("买受人", 1), ("出卖人", 1), ("发包人", 1), ("承包人", 1), ("设计方", 1),
    ),
    "collection_form": (
        ("客户信息收集表", 6), ("信息收集表", 4), ("收集表", 2), ("客户信息", 2), ("客户名称", 2),
        ("客户类型", 3), ("收集人", 2.5), ("填表人", 2), ("收集日期", 2.5), ("填表日期", 2),
        ("信息来源", 2), ("来源渠道", 2), ("需求描述", 2), ("客户需求", 2), ("所属行业", 1.5),
        ("联系人", 1), ("联系电话", 0.5), ("电子邮箱", 1), ("个人", 0.5), ("企业", 0.5),
    ),
}
THRESHOLD = 6.0  # below this, nothing here is sure enough to say more than "other"

# A kind also needs its own field labels, unless its name heads the page: a
# fund-account application that asks for a 营业执照 copy is not a licence (seen in the
# real corpus).
FIELD_CUES: dict[str, tuple[str, ...]] = {
    "business_license": ("登记机关", "经营范围", "成立日期", "营业期限", "注册资本", "注册日期",
                         "经营场所", "住所"),
    "contract": ("甲方", "乙方", "买方", "卖方", "委托方", "受托方", "委托人", "签订日期", "签约日期",
                 "合同编号", "违约", "供方", "需方", "买受人", "出卖人", "发包人", "承包人", "设计方",
                 "签订时间"),
    "collection_form": ("客户名称", "客户类型", "收集人", "填表人", "收集日期", "填表日期", "信息来源",
                        "来源渠道", "需求描述", "客户需求", "所属行业"),
}
# a real licence prints five or more of its labels; an application form may ask for one
NEEDED = {"business_license": 2, "contract": 1, "collection_form": 1}
TITLES: dict[str, tuple[str, ...]] = {
    "business_license": ("营业执照",),
    "contract": ("合同", "协议"),
    "collection_form": ("收集表", "客户信息"),
}


def scores(text: str) -> dict[str, float]:
    f = fold(text)
    out = {}
    for kind, cues in CUES.items():
        total = 0.0
        for cue, weight in cues:
            n = f.count(cue)
            if n:
                total += weight * (1 + 0.25 * min(n - 1, 4))
        out[kind] = total
    head = fold("".join(text.strip().splitlines()[:4]))
    for kind, cues in FIELD_CUES.items():
        found = sum(1 for c in cues if c in f)
        if found < NEEDED[kind] and not any(t in head for t in TITLES[kind]):
            out[kind] *= 0.4
    # A contract's own body repeats 甲方/乙方 many times; a licence or form almost never does.
    parties = len(re.findall("甲方|乙方", f))
    if parties >= 6:
        out["contract"] += 4
    return out


def classify(text: str) -> tuple[str, float]:
    s = scores(text)
    kind, best = max(s.items(), key=lambda kv: kv[1])
    if best < THRESHOLD:
        return "other", round(1 - best / THRESHOLD * 0.5, 3)
    second = max(v for k, v in s.items() if k != kind)
    margin = best - second
    conf = 1 / (1 + math.exp(-(margin - 2) / 2))
    conf = min(0.99, conf * min(1.0, best / (2 * THRESHOLD)) ** 0.3)
    return kind, round(conf, 3)
