"""Demo 知识库: standard answers for the common 12351 questions (欠薪, 工伤, 劳动合同, 社保, 新就业形态), province-wide and
for 广州, 深圳, 东莞 and 天河, made through the service by the demo cadres of each region; two are past their review date
and one is a draft, so 复核已到期 and the statuses have something to show."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.exceptions import ApplicationError
from gonghui.orgs.models import Org
from gonghui.tickets import knowledge
from gonghui.tickets.models import AnswerStatus, KnowledgeAnswer

CHECK_LOCALLY = "具体标准以当地人力资源社会保障部门最新公布为准。"
# (author, region code or "" for 全省通用, topic, title, answer, basis, review in days (negative: overdue), status)
ANSWERS = [
    ("gd_admin", "", "wages", "单位拖欠工资怎么办？",
     "1. 先保留证据：劳动合同、工资条、考勤记录、银行流水、与单位的聊天记录。\n2. 向用人单位所在地的劳动保障监察机构投诉（可拨打12333），"
     "监察机构可责令单位限期支付。\n3. 申请劳动争议仲裁：劳动关系存续期间拖欠劳动报酬的，不受一年仲裁时效限制；劳动关系终止的，应自终止之日起一年内提出。\n"
     "4. 符合条件的，可向工会申请免费法律援助，拨打12351或在“我要反映”提交。",
     "《广东省工资支付条例》；《劳动争议调解仲裁法》第二十七条", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "wages", "建筑工地包工头拖欠农民工工资，该找谁？",
     "工程建设领域实行总包单位负责制：分包单位拖欠农民工工资的，由施工总承包单位先行清偿，再向分包单位追偿；违法发包、转包给不具备资质的"
     "个人（包工头）导致拖欠的，由发包、转包单位清偿。项目应设农民工工资专用账户并实行实名制管理，可向项目所在地人社部门或住建部门投诉。",
     "《保障农民工工资支付条例》第二十九条、第三十条、第三十六条", 240, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "hours", "加班费怎么计算？",
     "以本人正常工作时间工资为基数：工作日延长工作时间，支付不低于150%的工资；休息日安排工作又不能补休的，支付不低于200%；"
     "法定节假日安排工作的，支付不低于300%（不能以补休代替）。实行综合计算工时或不定时工作制的，需经人社部门批准。",
     "《劳动法》第四十四条；《广东省工资支付条例》第二十条", -20, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "injury", "工伤认定要在多长时间内申请？",
     "职工发生事故伤害或被诊断为职业病，用人单位应自事故发生之日或诊断之日起30日内向统筹地区社会保险行政部门提出工伤认定申请。"
     "单位不申请的，职工本人或其近亲属、工会组织可在1年内直接申请。申请时需提交工伤认定申请表、劳动关系证明（劳动合同、工资流水等）和医疗诊断证明。",
     "《工伤保险条例》第十七条", 330, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "injury", "上下班途中出了交通事故，算工伤吗？",
     "在上下班途中，受到非本人主要责任的交通事故或者城市轨道交通、客运轮渡、火车事故伤害的，应当认定为工伤。"
     "本人负主要或全部责任、或无证驾驶等情形不予认定。需要交警部门出具的事故责任认定书，并注意上下班的合理时间和合理路线。",
     "《工伤保险条例》第十四条第（六）项", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "injury", "单位没有买工伤保险，受了工伤怎么办？",
     "应当参加工伤保险而未参加的用人单位职工发生工伤的，由该用人单位按照《工伤保险条例》规定的工伤保险待遇项目和标准支付费用，"
     "包括医疗费、停工留薪期工资、一次性伤残补助金等。仍需先申请工伤认定和劳动能力鉴定；单位不支付的，可申请劳动仲裁。",
     "《工伤保险条例》第六十二条", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "contract", "入职后单位一直不签劳动合同怎么办？",
     "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资；"
     "满一年仍未订立的，视为已订立无固定期限劳动合同。二倍工资差额可申请劳动仲裁，注意保留入职时间的证据（工牌、考勤、工资流水）。",
     "《劳动合同法》第十条、第十四条、第八十二条", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "contract", "试用期最长多久？试用期工资有什么规定？",
     "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；一年以上不满三年的，不得超过二个月；三年以上固定期限和无固定期限的，不得超过六个月。"
     "同一单位与同一劳动者只能约定一次试用期。试用期工资不得低于本单位相同岗位最低档工资或劳动合同约定工资的80%，并不得低于当地最低工资标准。",
     "《劳动合同法》第十九条、第二十条", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "dismissal", "被公司辞退，能拿多少经济补偿？",
     "按劳动者在本单位工作的年限，每满一年支付一个月工资；六个月以上不满一年的按一年计算；不满六个月的支付半个月工资。"
     "月工资按解除前十二个月的平均工资计算。单位违法解除劳动合同的，应按经济补偿标准的二倍支付赔偿金。",
     "《劳动合同法》第四十七条、第八十七条", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "social_insurance", "单位不给缴社保，或者让我签“自愿放弃社保”怎么办？",
     "参加社会保险是用人单位和劳动者的法定义务，“自愿放弃社保”的承诺无效。可向当地社会保险费征收部门（税务）或人社部门投诉要求补缴；"
     "单位未依法缴纳社会保险费的，劳动者可以解除劳动合同并要求支付经济补偿。",
     "《社会保险法》第五十八条、第六十三条；《劳动合同法》第三十八条、第四十六条", 300, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "platform", "外卖骑手送餐途中受伤，有保障吗？",
     "广东是新就业形态就业人员职业伤害保障试点省份。在试点平台接单的骑手，由平台按单缴纳职业伤害保障费用，骑手本人不用缴费。"
     "送餐途中受伤的，应及时通过平台App报案，由社保经办机构进行职业伤害确认后享受医疗、伤残等待遇。平台不配合的，可向所在区的外卖配送行业工会联合会或12351反映。",
     "人社部等《关于维护新就业形态劳动者劳动保障权益的指导意见》；新就业形态就业人员职业伤害保障试点办法", 240, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "platform", "平台派单算法不合理、超时扣款，可以找工会吗？",
     "可以。平台企业制定或修订直接涉及劳动者权益的算法、计件单价、抽成比例、奖惩等制度规则，应当充分听取工会或劳动者代表的意见，并公示告知。"
     "可向所在区的外卖配送、快递、网约车等行业工会联合会反映，由工会与平台开展协商；也可在“我要反映”提交，选择“新就业形态”。",
     "人社部等《关于维护新就业形态劳动者劳动保障权益的指导意见》第十条", 240, AnswerStatus.PUBLISHED),
    ("gd_admin", "", "union", "快递员、骑手、网约车司机能加入工会吗？",
     "能。新就业形态劳动者可以就近加入所在区的行业工会联合会或平台企业工会，也可以在本平台“一键入会”，入会后可享受法律援助、困难帮扶、"
     "互助保障、爱心驿站等服务。入会不需要用人单位同意。",
     "《中华人民共和国工会法》第三条", 300, AnswerStatus.PUBLISHED),
    ("gz_admin", "4401", "wages", "广州最低工资标准是多少？",
     "广州市全日制就业劳动者月最低工资标准为2500元，非全日制就业劳动者小时最低工资标准为23.7元。最低工资不包括加班工资、"
     "中班夜班高温等津贴和法定福利待遇。" + CHECK_LOCALLY,
     "广东省人民政府关于调整我省企业职工最低工资标准的通知", 200, AnswerStatus.PUBLISHED),
    ("gd_admin", "4403", "wages", "深圳最低工资标准是多少？",
     "深圳市全日制就业劳动者月最低工资标准为2520元，非全日制就业劳动者小时最低工资标准为23.7元。用人单位支付的工资扣除加班工资、"
     "特殊津贴和社会保险、住房公积金个人缴费后，不得低于该标准。" + CHECK_LOCALLY,
     "深圳市人力资源和社会保障局关于调整深圳市最低工资标准的通知", 200, AnswerStatus.PUBLISHED),
    ("dg_admin", "4419", "wages", "东莞最低工资标准是多少？",
     "东莞市全日制就业劳动者月最低工资标准为2080元。" + CHECK_LOCALLY + "东莞各镇街职工可到镇街总工会职工服务站咨询。",
     "广东省人民政府关于调整我省企业职工最低工资标准的通知", -45, AnswerStatus.PUBLISHED),
    ("th_cadre", "440106", "union", "天河区的职工法律援助怎么申请？",
     "天河区总工会职工服务中心提供劳动争议法律咨询、调解和法律援助，工作日上午9:00—12:00、下午14:00—17:30接待。"
     "可携带身份证、劳动合同或工资流水等材料前往，或拨打12351预约；骑手可直接联系天河区外卖配送行业工会联合会。",
     "", 150, AnswerStatus.PUBLISHED),
    ("th_cadre", "440106", "social_insurance", "天河区灵活就业人员怎样参加社保（草稿）",
     "灵活就业人员可以个人身份参加企业职工基本养老保险和职工医疗保险，按当地规定的缴费基数档次缴费，待与区社保部门核对后发布。",
     "", 60, AnswerStatus.DRAFT),
]


def seed_knowledge_demo() -> int:
    """Returns the answers made; none when the demo's answers are there already."""
    if KnowledgeAnswer.objects.filter(title=ANSWERS[0][3]).exists():
        return 0
    today, made = timezone.localdate(), 0
    for author, region_code, topic, title, answer, basis, days, status in ANSWERS:
        user = User.objects.filter(username=author).first()
        region = Org.objects.filter(code=region_code).first() if region_code else None
        if user is None or (region_code and region is None):
            continue
        try:
            knowledge.knowledge_answer_create(actor=user, data=knowledge.AnswerInput(
                title=title, answer=answer, category="consult", topic=topic, region_id=region.pk if region else None, basis=basis,
                review_on=today + dt.timedelta(days=days), status=status))
        except ApplicationError:
            continue  # the author holds no 知识库 post there in this demo
        made += 1
    return made
