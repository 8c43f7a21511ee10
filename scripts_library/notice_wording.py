"""The wording of the service desk's notices: lost person (寻人), lost item (寻物) and found item
(招领), in Chinese and English, as a mall's PA reads them (see ``templates`` for how a segment is
said only when its fields have values)."""

from __future__ import annotations

from scripts_library.spec import Category
from scripts_library.template_model import FieldSpec, Template


def _field(
    name: str,
    labels: tuple[str, str],
    max_length: int,
    required: bool,
    examples: tuple[str, str],
) -> FieldSpec:
    return FieldSpec(name, labels[0], labels[1], max_length, required, *examples)


_NAME = 40
_AGE = 20
_DESCRIPTION = 100
_PLACE = 60
_ITEM = 60

LOST_PERSON = Template(
    name="lost_person",
    title_zh="寻人启事",
    title_en="Lost person",
    category=Category.LOST_PERSON,
    fields=(
        _field("name", ("姓名", "name"), _NAME, True, ("乐乐", "Lele")),
        _field("age", ("年龄", "age"), _AGE, False, ("五岁左右", "about five")),
        _field(
            "appearance",
            ("外貌特征", "appearance"),
            _DESCRIPTION,
            False,
            ("身高一米左右，短发", "about one metre tall, with short hair"),
        ),
        _field(
            "clothing",
            ("衣着", "clothing"),
            _DESCRIPTION,
            False,
            ("红色外套、蓝色牛仔裤", "a red jacket and blue jeans"),
        ),
        _field(
            "last_seen",
            ("最后出现地点", "where last seen"),
            _PLACE,
            False,
            ("一楼化妆品区", "the cosmetics area on the first floor"),
        ),
        _field(
            "meet_at",
            ("会合地点", "where to meet"),
            _PLACE,
            True,
            ("一楼服务台", "the service desk on the first floor"),
        ),
    ),
    wording_zh=(
        "顾客朋友们请注意，/ 现在播送一则 *寻人启事*。// ",
        "*{name}*，/ ",
        "年龄{age}，/ ",
        "{appearance}，/ ",
        "身穿{clothing}，/ ",
        "在{last_seen}",
        "与家人走散了。// ",
        "请 *{name}* 听到广播后，/ 马上到 *{meet_at}*，/ 您的家人正在那里等候。// ",
        "再播送一遍：/ 请 *{name}* 到 *{meet_at}* 与家人会合。// ",
        "谢谢您的帮助！",
    ),
    wording_en=(
        "May I have your attention, please. // Here is a lost-person announcement. // ",
        "We are looking for *{name}*",
        ", / aged {age}",
        ", / {appearance}",
        ", / wearing {clothing}",
        ", / last seen at {last_seen}",
        ". // ",
        "*{name}*, / please come to *{meet_at}*, / where your family is waiting for you. // ",
        "Once again: / *{name}*, / please come to *{meet_at}*. // ",
        "Thank you for your help.",
    ),
)

LOST_ITEM = Template(
    name="lost_item",
    title_zh="寻物启事",
    title_en="Lost item",
    category=Category.LOST_ITEM,
    fields=(
        _field("item", ("物品", "item"), _ITEM, True, ("一个黑色钱包", "a black wallet")),
        _field(
            "description",
            ("物品特征", "description"),
            _DESCRIPTION,
            False,
            ("内有身份证和银行卡", "with an ID card and bank cards inside"),
        ),
        _field(
            "last_seen",
            ("遗失地点", "where lost"),
            _PLACE,
            False,
            ("三楼运动品牌区", "the sportswear area on the third floor"),
        ),
        _field(
            "return_to",
            ("送还地点", "where to hand it in"),
            _PLACE,
            True,
            ("一楼服务台", "the service desk on the first floor"),
        ),
    ),
    wording_zh=(
        "顾客朋友们请注意，/ 现在播送一则 *寻物启事*。// ",
        "有一位顾客",
        "在{last_seen}",
        "不慎遗失了 *{item}*",
        "，/ {description}",
        "。// ",
        "拾到的顾客朋友，/ 请送到 *{return_to}*，/ 失主正在那里等候。// ",
        "再播送一遍：/ 拾到 *{item}* 的顾客，/ 请送到 *{return_to}*。// ",
        "谢谢您的帮助！",
    ),
    wording_en=(
        "May I have your attention, please. // Here is a lost-property announcement. // ",
        "A customer has lost *{item}*",
        ", / {description}",
        ", / last seen at {last_seen}",
        ". // ",
        "If you have found it, / please take it to *{return_to}*, / "
        "where the owner is waiting. // ",
        "Once again: / if you have found *{item}*, / please take it to *{return_to}*. // ",
        "Thank you for your help.",
    ),
)

FOUND_ITEM = Template(
    name="found_item",
    title_zh="失物招领",
    title_en="Found item",
    category=Category.LOST_ITEM,
    fields=(
        _field("item", ("物品", "item"), _ITEM, True, ("一把蓝色雨伞", "a blue umbrella")),
        _field(
            "where_found",
            ("拾到地点", "where found"),
            _PLACE,
            False,
            ("二楼电梯口", "the lifts on the second floor"),
        ),
        _field(
            "where_to_claim",
            ("认领地点", "where to claim"),
            _PLACE,
            True,
            ("一楼服务台", "the service desk on the first floor"),
        ),
    ),
    wording_zh=(
        "顾客朋友们请注意，/ 现在播送一则 *失物招领*。// ",
        "我们",
        "在{where_found}",
        "拾到了 *{item}*。// ",
        "请失主听到广播后，/ 到 *{where_to_claim}* 认领，/ 认领时请说明物品特征。// ",
        "再播送一遍：/ 遗失 *{item}* 的顾客，/ 请到 *{where_to_claim}* 认领。// ",
        "谢谢！",
    ),
    wording_en=(
        "May I have your attention, please. // Here is a lost-and-found announcement. // ",
        "We have found *{item}*",
        " / at {where_found}",
        ". // ",
        "Would the owner please come to *{where_to_claim}* to collect it, / "
        "and be ready to describe it. // ",
        "Once again: / if you have lost *{item}*, / please collect it at *{where_to_claim}*. // ",
        "Thank you.",
    ),
)

TEMPLATES: dict[str, Template] = {t.name: t for t in (LOST_PERSON, LOST_ITEM, FOUND_ITEM)}
