"""The starter library: the scripts a new installation begins with, written for this product.

One script for each item of a real store's day programme (播音流程: the word to staff, the opening welcome,
floor guide, services, mall information, products, promotions, the closing notices and speech),
example lost-and-found notices, and the emergency notices, each in Chinese and in English. A
Chinese script's code is the item's slug (``opening_welcome``); its English twin adds ``_en``
(``opening_welcome_en``).

``broadcaster demo`` and a fresh installation put these into the script library as approved
scripts (the supervisor's review is the one this module had), so the demo day has something to
say from the first minute. The day programme refers to a script by its code, never by its text:
the supervisor may edit or replace a starter script (a new approved version under the same code)
and the programme keeps playing it.

The facts are the demo mall's: open 08:00-22:00 Monday to Friday, until 22:30 on Saturday and
Sunday; floor 1 cosmetics, jewellery and watches (and the service desk), 2 women's wear, 3 men's
wear and sports, 4 children and home, 5 dining. Pauses (``/``, ``//``) and emphasis (``*...*``)
follow ``scripts_library.markup``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scripts_library.spec import Category, Language

EN_SUFFIX = "_en"


@dataclass(frozen=True)
class StarterScript:
    code: str
    title: str  # Chinese for a Chinese script, English for an English one
    category: Category
    language: Language
    text: str  # marked up


def _pair(
    code: str, category: Category, zh: tuple[str, str], en: tuple[str, str]
) -> tuple[StarterScript, StarterScript]:
    """A Chinese script and its English twin, from (title, text) each."""
    return (
        StarterScript(code, zh[0], category, Language.ZH_CN, zh[1]),
        StarterScript(f"{code}{EN_SUFFIX}", en[0], category, Language.EN, en[1]),
    )


_PAIRS = (
    _pair(
        "staff_word",
        Category.STAFF,
        (
            "致员工词",
            "各位同事，/ 早上好！// 商场将于 *五分钟后* 开始营业，/ 请大家 *整理好仪容仪表*，/ "
            "检查好商品和价签，/ 以饱满的精神和 *真诚的微笑* 迎接每一位顾客。// 祝大家工作顺利！",
        ),
        (
            "Word to staff",
            "Good morning, colleagues. // The store opens in *five minutes*. / "
            "Please check your appearance, / your goods and your price tags, / "
            "and greet every customer with *a sincere smile*. // Have a good day!",
        ),
    ),
    _pair(
        "opening_welcome",
        Category.OPENING,
        (
            "开市迎宾词",
            "亲爱的顾客朋友们，/ *早上好*！// 欢迎光临本商场。// 我们已经做好了一切准备，/ "
            "以优质的商品和 *真诚的服务* 恭候您的到来。// 祝您购物愉快！",
        ),
        (
            "Opening welcome",
            "Good morning, / ladies and gentlemen, / and *welcome to our store*. // "
            "Everything is ready for you, / with quality goods and *friendly service*. // "
            "We wish you a pleasant day of shopping!",
        ),
    ),
    _pair(
        "floor_guide",
        Category.FLOOR_GUIDE,
        (
            "楼层导购",
            "亲爱的顾客朋友们，/ 欢迎光临本商场。// *一楼* 是化妆品、珠宝和钟表，/ "
            "*二楼* 是女装，/ *三楼* 是男装和运动休闲，/ *四楼* 是儿童用品和家居生活，/ "
            "*五楼* 是美食餐饮。// 电梯和洗手间位于 *各楼层东侧*。// 祝您购物愉快！",
        ),
        (
            "Floor guide",
            "Dear customers, / welcome to our store. // On the *first floor* / "
            "you will find cosmetics, jewellery and watches; / on the *second*, / women's wear; / "
            "on the *third*, / men's wear and sports; / on the *fourth*, / children's goods and "
            "home; / and on the *fifth*, / restaurants and cafes. // Lifts and restrooms are on "
            "*the east side* of every floor.",
        ),
    ),
    _pair(
        "services",
        Category.SERVICES,
        (
            "服务台服务介绍",
            "亲爱的顾客朋友们，/ *一楼服务台* 为您提供咨询导购、/ 会员积分、/ 开具发票、/ "
            "退换货、/ 礼品包装、/ 雨伞借用和物品寄存等服务。// 如果您需要帮助，/ "
            "欢迎随时到 *一楼服务台*，/ 我们将竭诚为您服务。",
        ),
        (
            "Our services",
            "Dear customers, / the *service desk on the first floor* / is here to help with "
            "directions, / membership points, / invoices, / returns and exchanges, / gift "
            "wrapping, / umbrellas / and bag storage. // Whenever you need help, / please visit "
            "us at *the service desk on the first floor*.",
        ),
    ),
    _pair(
        "mall_info",
        Category.REMINDER,
        (
            "营业时间与温馨提示",
            "亲爱的顾客朋友们，/ 本商场 *周一至周五* 营业时间为 *上午八点至晚上十点*，/ "
            "*周六、周日* 延长至 *晚上十点半*。// 为了您和家人的安全，/ "
            "请 *照看好随行的老人和儿童*，/ 保管好您的随身物品。// 感谢您的光临！",
        ),
        (
            "Opening hours and reminders",
            "Dear customers, / we are open from *8 a.m. to 10 p.m.* / *Monday to Friday*, / "
            "and until *10:30 p.m.* / on *Saturday and Sunday*. // For your safety, / please "
            "*keep an eye on children and elderly companions*, / and look after your "
            "belongings. // Thank you for shopping with us.",
        ),
    ),
    _pair(
        "products",
        Category.PROMOTION,
        (
            "商品介绍",
            "亲爱的顾客朋友们，/ *二楼女装* 的春季新款已经上市，/ 欢迎您前往试穿。// "
            "*四楼家居生活馆* 新到一批应季床品和厨房用品，/ 部分商品 *特价销售，低至五折*，/ "
            "数量有限，/ 售完即止。",
        ),
        (
            "Products and special prices",
            "Dear customers, / the new spring collection has arrived in *women's wear on the "
            "second floor*. // On the *fourth floor*, / new seasonal bedding and kitchenware / "
            "are on special offer at *up to half price*, / while stocks last.",
        ),
    ),
    _pair(
        "promo_member_points",
        Category.PROMOTION,
        (
            "会员双倍积分",
            "亲爱的顾客朋友们，/ 今天是本商场 *会员日*，/ 会员购物可享 *双倍积分*，/ "
            "积分可在 *一楼服务台* 兑换精美礼品。// 还不是会员的顾客，/ 欢迎到服务台 *免费办理*。",
        ),
        (
            "Member double points",
            "Dear customers, / today is *Member Day*: / members earn *double points* on every "
            "purchase, / and points can be exchanged for gifts at *the service desk on the first "
            "floor*. // Not a member yet? / Joining is *free* at the service desk.",
        ),
    ),
    _pair(
        "promo_gift_with_purchase",
        Category.PROMOTION,
        (
            "满额赠礼",
            "亲爱的顾客朋友们，/ 即日起，/ 凡在本商场 *单笔购物满三百元*，/ "
            "即可凭购物小票到 *一楼服务台* 领取 *精美礼品一份*。// 数量有限，/ 送完即止。",
        ),
        (
            "Gift with purchase",
            "Dear customers, / spend *300 yuan or more* in a single purchase, / and collect *a "
            "free gift* / at *the service desk on the first floor* / with your receipt. // "
            "While stocks last.",
        ),
    ),
    _pair(
        "promo_seasonal_discount",
        Category.PROMOTION,
        (
            "换季折扣",
            "亲爱的顾客朋友们，/ *换季特惠* 正在进行！// *二楼女装* 部分品牌 *满二百减五十*，/ "
            "*三楼运动品牌* 全场 *八折*。// 欢迎您前往选购。",
        ),
        (
            "Seasonal discount",
            "Dear customers, / our *end-of-season sale* is on! // Selected brands in *women's "
            "wear on the second floor* / take *50 yuan off every 200*, / and sports brands on "
            "the *third floor* / are *20 percent off*. // Happy shopping!",
        ),
    ),
    _pair(
        "pre_closing",
        Category.REMINDER,
        (
            "闭店前预告",
            "亲爱的顾客朋友们，/ 本商场将于 *二十分钟后* 结束今天的营业。// "
            "请您抓紧时间选购所需的商品，/ 收银台将继续为您服务。// 感谢您的光临！",
        ),
        (
            "Pre-closing notice",
            "Dear customers, / the store will close in *twenty minutes*. // Please complete "
            "your shopping; / our checkouts remain open for you. // Thank you for visiting us.",
        ),
    ),
    _pair(
        "closing_reminder",
        Category.REMINDER,
        (
            "闭店提醒",
            "亲爱的顾客朋友们，/ 距离本商场结束营业还有 *十五分钟*。// 请您 *带好随身物品*，/ "
            "照看好随行的老人和儿童，/ 尽快到收银台结账。// 欢迎您明天再次光临。",
        ),
        (
            "Closing reminder",
            "Dear customers, / the store will close in *fifteen minutes*. // Please *take all "
            "your belongings* with you, / keep your children close, / and make your way to a "
            "checkout. // We look forward to seeing you again tomorrow.",
        ),
    ),
    _pair(
        "closing_speech",
        Category.CLOSING,
        (
            "闭店词",
            "亲爱的顾客朋友们，/ 本商场今天的 *营业时间已经结束*。// 感谢您的光临和支持，/ "
            "请您带好随身物品，/ 从 *就近的出口* 有序离开。// 祝您晚安，/ 欢迎明天再来！",
        ),
        (
            "Closing speech",
            "Dear customers, / *the store is now closed* for today. // Thank you for your "
            "visit. / Please take your belongings / and leave by *the nearest exit*. // "
            "Good night, / and we hope to see you again tomorrow!",
        ),
    ),
    _pair(
        "lost_person_example",
        Category.LOST_PERSON,
        (
            "寻人启事（示例）",
            "顾客朋友们请注意，/ 现在播送一则 *寻人启事*。// 五岁的小朋友 *乐乐*，/ "
            "身穿红色外套、蓝色牛仔裤，/ 在一楼化妆品区与家人走散了。// "
            "请见到乐乐的顾客朋友，/ 陪同他到 *一楼服务台*，/ 他的家人正在那里等候。// 谢谢您的帮助！",
        ),
        (
            "Lost person (example)",
            "May I have your attention, please. // We are looking for *Lele*, / a five-year-old "
            "boy in a red jacket and blue jeans, / last seen near the cosmetics counters on the "
            "first floor. // If you see Lele, / please bring him to *the service desk on the "
            "first floor*, / where his family is waiting. // Thank you for your help.",
        ),
    ),
    _pair(
        "lost_item_example",
        Category.LOST_ITEM,
        (
            "寻物启事（示例）",
            "顾客朋友们请注意，/ 现在播送一则 *寻物启事*。// 有一位顾客在三楼运动品牌区 / "
            "不慎遗失了 *一个黑色钱包*，/ 内有身份证和银行卡。// 拾到的顾客朋友，/ "
            "请送到 *一楼服务台*。// 谢谢您的帮助！",
        ),
        (
            "Lost item (example)",
            "May I have your attention, please. // A customer has lost *a black wallet* / "
            "with an ID card inside, / somewhere in the sportswear area on the third floor. // "
            "If you have found it, / please take it to *the service desk on the first floor*. // "
            "Thank you for your help.",
        ),
    ),
    _pair(
        "found_item_example",
        Category.LOST_ITEM,
        (
            "失物招领（示例）",
            "顾客朋友们请注意，/ 现在播送一则 *失物招领*。// 我们在二楼电梯口 / "
            "拾到了 *一把蓝色雨伞*。// 请失主到 *一楼服务台* 认领，/ 认领时请说明物品特征。// 谢谢！",
        ),
        (
            "Found item (example)",
            "May I have your attention, please. // *A blue umbrella* / has been found by the "
            "lifts on the second floor. // Would the owner please collect it at *the service "
            "desk on the first floor*, / and be ready to describe it. // Thank you.",
        ),
    ),
    _pair(
        "fire_evacuation",
        Category.EMERGENCY,
        (
            "紧急疏散",
            "顾客朋友们请注意：/ 商场内发生 *火情*。// 请 *保持冷静*，/ *听从工作人员指挥*，/ "
            "沿疏散指示标志 / 从 *最近的安全出口* 有序撤离。// *请勿乘坐电梯*，/ 不要拥挤，/ "
            "照顾好身边的老人和儿童。// 请 *立即撤离*。",
        ),
        (
            "Emergency evacuation",
            "Attention, please. // There is *a fire* in the building. // *Stay calm*, / "
            "*follow the instructions of our staff*, / and leave by *the nearest emergency "
            "exit*. // *Do not use the lifts*. / Do not push, / and help children and elderly "
            "people near you. // *Leave the building now*.",
        ),
    ),
    _pair(
        "all_clear",
        Category.EMERGENCY,
        (
            "解除警报，恢复营业",
            "顾客朋友们请注意：/ *警报已经解除*，/ 商场 *恢复正常营业*。// "
            "感谢您的理解与配合，/ 给您带来的不便，/ 敬请谅解。// 祝您购物愉快！",
        ),
        (
            "All clear",
            "Attention, please. // *The alarm is over*, / and the store is *open as usual* "
            "again. // Thank you for your patience and cooperation, / and we apologise for any "
            "inconvenience.",
        ),
    ),
    _pair(
        "alarm_test",
        Category.EMERGENCY,
        (
            "消防报警系统测试",
            "顾客朋友们请注意：/ 现在进行 *消防报警系统测试*。// 测试期间您可能会听到报警声，/ "
            "*这只是测试*，/ 请不必惊慌，/ 也 *无需撤离*。// 感谢您的理解与配合。",
        ),
        (
            "Fire alarm test",
            "Attention, please. // We are now *testing the fire alarm system*. // You may hear "
            "alarm signals; / *this is only a test*, / and there is *no need to leave* the "
            "building. // Thank you for your understanding.",
        ),
    ),
)

STARTER_SCRIPTS: tuple[StarterScript, ...] = tuple(s for pair in _PAIRS for s in pair)
STARTER_CODES: frozenset[str] = frozenset(s.code for s in STARTER_SCRIPTS)
