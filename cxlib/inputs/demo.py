"""Seeded demo clients of any size: a fictional telecom with planted, findable patterns.

The data is invented. What the report should find is planted on purpose and named here
(`BREAKPOINTS`, `DRIVERS`, `SWITCH_HOTSPOTS`, `DISAGREEMENTS`, `IMPROVING`, `WORSENING`,
`ALIGNMENT_GAP`), so tests and readers can check the analysis against it.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import paths

STAGES = ("awareness", "discovery", "attraction", "interaction", "purchase", "use",
          "cultivation", "advocacy")
NAMES = {"en": "Northwind Telecom", "zh": "北风电信"}
#: Above this many customers the CRM extract is a CSV: Excel-sized files are slow to read.
EXCEL_MAX_ROWS = 100_000
#: Journeys in the event log: about 1.25 per respondent, within these bounds.
JOURNEYS_MIN, JOURNEYS_MAX = 200, 40_000
#: Fixed timestamp inside every workbook so the same seed gives the same bytes.
FIXED_TIME = dt.datetime(2025, 7, 1, 9, 0, 0)
_ROWS_PER_CHUNK = 200_000

# id, stage, channel, owner, share of respondents who touched it, mean expectation,
# perception minus expectation, mean importance; then name, description, expectation
# in English and in Chinese.
_TOUCHPOINTS = (
    ("tv_advert", "awareness", "tv", "Marketing", 0.70, 3.0, 0.3, 2.3,
     "TV and online advertising", "Brand and price adverts on TV and video sites.",
     "Clear prices I can trust.",
     "电视与网络广告", "电视和视频网站上的品牌及价格广告。", "价格清楚可信。"),
    ("social_media", "awareness", "social", "Marketing", 0.45, 3.0, 0.2, 2.1,
     "Social media", "Posts, stories and paid posts on social networks.",
     "Useful content, not spam.",
     "社交媒体", "社交网络上的帖子、动态和推广内容。", "内容有用，不是骚扰。"),
    ("website_plans", "discovery", "web", "Digital", 0.65, 3.8, 0.3, 3.7,
     "Plans on the website", "Browsing and comparing plans and handsets online.",
     "See the total cost of a plan at a glance.",
     "官网套餐浏览", "在网上浏览和比较套餐与手机。", "一眼看清套餐总费用。"),
    ("coverage_checker", "discovery", "web", "Network", 0.40, 3.7, 0.1, 3.5,
     "Coverage checker", "Checking network coverage at an address before buying.",
     "The map matches what I get at home.",
     "网络覆盖查询", "购买前查询某个地址的网络覆盖。", "地图与家里的实际信号一致。"),
    ("store_advice", "discovery", "store", "Retail", 0.45, 3.6, 0.3, 3.2,
     "Advice in store", "Asking staff in a shop for advice on plans and phones.",
     "Honest advice for my needs.",
     "门店咨询", "在门店向店员咨询套餐和手机。", "根据我的需要给出诚实建议。"),
    ("promo_offer", "attraction", "email", "Marketing", 0.50, 3.3, 0.2, 2.8,
     "Welcome offer", "Discounts for new customers by email and on the website.",
     "An offer with no hidden conditions.",
     "新用户优惠", "通过邮件和官网发布的新客户折扣。", "优惠没有隐藏条件。"),
    ("handset_offer", "attraction", "web", "Sales", 0.40, 3.5, 0.3, 3.1,
     "Handset bundle", "A new phone bundled with a plan on monthly payments.",
     "A fair price compared with buying the phone alone.",
     "合约机优惠", "新手机与套餐捆绑，按月付款。", "价格比单买手机合理。"),
    ("sales_call", "interaction", "phone", "Sales", 0.35, 3.2, 0.1, 2.6,
     "Sales call", "Talking to a sales advisor by phone before buying.",
     "A quick answer without pressure.",
     "销售电话", "购买前与销售顾问电话沟通。", "回答迅速，不施压。"),
    ("live_chat", "interaction", "chat", "Digital", 0.40, 3.6, 0.2, 3.0,
     "Live chat", "Chatting with an advisor on the website.",
     "An answer within two minutes.",
     "在线客服咨询", "在官网与客服在线聊天。", "两分钟内得到答复。"),
    ("online_checkout", "purchase", "web", "Digital", 0.55, 3.9, 0.3, 3.8,
     "Online order", "Ordering a plan or phone on the website.",
     "Done in a few minutes.",
     "网上下单", "在官网订购套餐或手机。", "几分钟就能完成。"),
    ("credit_check", "purchase", "web", "Finance", 0.45, 3.4, 0.0, 3.3,
     "Credit check and contract", "Identity and credit check, then signing the contract.",
     "Clear what is needed and why.",
     "信用审核与签约", "身份与信用审核，然后签订合约。", "清楚需要什么以及原因。"),
    ("number_porting", "purchase", "phone", "Operations", 0.35, 4.0, -0.9, 4.0,
     "Number porting", "Moving a phone number from another operator.",
     "My number works here within a day.",
     "携号转网", "把号码从其他运营商转过来。", "一天内号码就能在新网络使用。"),
    ("sim_activation", "use", "app", "Operations", 0.55, 4.0, 0.2, 3.9,
     "SIM delivery and activation", "The SIM arrives and is switched on.",
     "It works the day it arrives.",
     "SIM卡配送与激活", "SIM卡送达并开通。", "到货当天就能用。"),
    ("network_quality", "use", "network", "Network", 0.70, 3.9, 0.1, 4.6,
     "Network quality", "Coverage, speed and dropped calls in daily use.",
     "Reliable signal at home, at work and on the move.",
     "网络质量与覆盖", "日常使用中的覆盖、网速和掉话情况。", "在家、单位和路上信号都稳定。"),
    ("first_bill", "use", "email", "Billing", 0.60, 4.0, -1.0, 4.3,
     "First bill", "The first monthly bill after joining.",
     "The amount I was quoted, easy to read.",
     "首张账单", "入网后的第一张月账单。", "金额与报价一致，一看就懂。"),
    ("app_account", "use", "app", "Digital", 0.65, 3.7, 0.3, 3.6,
     "Account in the app", "Checking usage, paying and changing settings in the app.",
     "Everything I need without calling.",
     "App账户管理", "在App里查用量、缴费和修改设置。", "不用打电话就能办好一切。"),
    ("fault_repair", "use", "phone", "Technical Support", 0.35, 4.1, -0.9, 4.5,
     "Fault repair", "Reporting a fault and getting it fixed.",
     "Fixed quickly, without repeating myself.",
     "故障报修", "报告故障并得到修复。", "修得快，不用反复说明。"),
    ("roaming", "use", "network", "Product", 0.30, 3.5, 0.2, 3.0,
     "Roaming abroad", "Using the phone in another country.",
     "It works on landing, at a price I know.",
     "国际漫游", "在国外使用手机。", "落地即用，资费清楚。"),
    ("billing_query", "use", "phone", "Customer Service", 0.40, 3.9, -0.8, 3.9,
     "Billing question", "Asking the contact centre about a bill.",
     "One call sorts it out.",
     "账单咨询", "就账单问题联系呼叫中心。", "一次通话就解决。"),
    ("plan_upgrade", "cultivation", "app", "Sales", 0.40, 3.6, 0.1, 3.4,
     "Plan or handset upgrade", "Changing to a bigger plan or a new phone.",
     "Upgrade in the app in minutes.",
     "套餐/手机升级", "升级到更大的套餐或换新手机。", "在App里几分钟完成升级。"),
    ("loyalty_rewards", "cultivation", "app", "Marketing", 0.45, 3.1, 0.3, 2.5,
     "Loyalty rewards", "Points and bonuses for staying with us.",
     "Rewards I actually want.",
     "会员积分", "长期使用获得的积分和奖励。", "奖励是我真正想要的。"),
    ("contract_renewal", "cultivation", "phone", "Retention", 0.40, 3.9, -0.9, 4.2,
     "Contract renewal", "The offer when a contract ends.",
     "A price at least as good as new customers get.",
     "合约续约", "合约到期时的续约方案。", "价格不比新客户差。"),
    ("referral", "advocacy", "app", "Marketing", 0.30, 3.0, 0.3, 2.2,
     "Refer a friend", "Credit for both when a friend joins.",
     "The credit arrives without chasing.",
     "推荐有礼", "朋友入网后双方都获得话费。", "奖励自动到账，不用催。"),
    ("review_response", "advocacy", "social", "Customer Service", 0.30, 3.2, 0.2, 2.4,
     "Replies to reviews", "Answers to public reviews and complaints online.",
     "A real answer within a day.",
     "网络评价回复", "对网上公开评价和投诉的回复。", "一天内得到实在的回复。"),
)
TOUCHPOINT_IDS = tuple(t[0] for t in _TOUCHPOINTS)
#: Touchpoints planted with perception clearly below expectation.
BREAKPOINTS = tuple(t[0] for t in _TOUCHPOINTS if t[6] < 0)
#: Touchpoints whose experience drives loyalty, with their planted weights.
DRIVERS = {"network_quality": 0.45, "first_bill": 0.40, "fault_repair": 0.40,
           "contract_renewal": 0.35}
#: Where journeys that started in self-service switch to assisted service.
SWITCH_HOTSPOTS = {"first_bill": 0.40, "number_porting": 0.50, "fault_repair": 0.45,
                   "plan_upgrade": 0.38}
#: Touchpoints where the interviews contradict the survey: store advice rates fine in the
#: survey but interviews are negative; billing questions are a breakpoint in the survey
#: but interviews praise them.
DISAGREEMENTS = ("store_advice", "billing_query")

_SEGMENTS = {  # column: (shares, English labels, Chinese labels, effect on loyalty)
    "Region": ((0.32, 0.26, 0.20, 0.14, 0.08),
               ("North", "South", "East", "West", "Central"),
               ("华北", "华南", "华东", "西部", "华中"), (0.0, -0.25, 0.1, 0.05, -0.1)),
    "Plan": ((0.35, 0.50, 0.15), ("Prepaid", "Postpaid", "Business"),
             ("预付费", "后付费", "企业"), (-0.15, 0.05, 0.15)),
    "Tenure": ((0.22, 0.33, 0.45), ("<1 year", "1-3 years", "3+ years"),
               ("1年以下", "1-3年", "3年以上"), (-0.1, 0.0, 0.05)),
}
#: The segment columns as a Chinese survey export heads them.
_SEGMENT_COLUMNS_ZH = {"Region": "地区", "Plan": "套餐", "Tenure": "在网时长"}
_PLAN_REVENUE = (180.0, 540.0, 1450.0)  # USD a year, by plan
#: The whole customer base client.yml gives, per region: customers per surveyed
#: respondent, each region's share of the base (not quite the survey's, so the
#: post-stratified scaling matters) and its annual revenue per customer, USD.
_BASE_PER_RESPONDENT = 600
_BASE_REGIONS = ((0.30, 0.28, 0.21, 0.13, 0.08), (562.0, 521.0, 604.0, 548.0, 497.0))


def _segment_column(column: str, language: str) -> str:
    return _SEGMENT_COLUMNS_ZH[column] if language == "zh" else column

#: Themes planted in the open comments: demo codebook theme -> (its touchpoints, share of
#: detractors, passives and promoters who raise it). Detractors speak of a theme in its
#: negative words, promoters in its positive ones, passives in either.
COMMENT_THEMES = {
    "billing": (("first_bill", "billing_query"), (0.40, 0.20, 0.05)),
    "network": (("network_quality",), (0.20, 0.20, 0.30)),
    "repair": (("fault_repair",), (0.25, 0.08, 0.06)),
    "renewal": (("contract_renewal",), (0.22, 0.10, 0.02)),
    "porting": (("number_porting",), (0.12, 0.04, 0.02)),
    "app": (("app_account",), (0.04, 0.15, 0.30)),
    "staff": (("store_advice", "live_chat"), (0.08, 0.10, 0.20)),
}
#: A theme customers raise that the demo codebook leaves out, for the suggestions to find.
UNCODED_THEME = ("esim", 0.10)
#: Share of commenters who write in the other language (Chinese in an English client).
OTHER_LANGUAGE = 0.08
# Per theme: negative and positive fragments, each (English, Chinese).
_FRAGMENTS = {
    "billing": (
        (("The first bill was much higher than I was told.", "第一张账单比说好的高很多。"),
         ("They charged an activation fee nobody mentioned.", "收了一笔没人提过的开通费。"),
         ("My bill is impossible to read.", "账单根本看不懂。")),
        (("The bill is clear and matches the quote.", "账单清楚，和报价一致。"),
         ("Billing question sorted in one call.", "账单问题一个电话就解决了。"))),
    "network": (
        (("Signal drops at home every evening.", "家里每天晚上都掉信号。"),
         ("Coverage in the countryside is poor.", "郊区的信号覆盖很差。"),
         ("Mobile data is slow at rush hour.", "高峰时段网速很慢。")),
        (("Great coverage, fast data.", "信号好，网速快。"),
         ("The network is reliable wherever I go.", "走到哪里网络都很稳定。"))),
    "repair": (
        (("It took three calls to fix my broadband fault, each time starting again.",
          "宽带故障打了三次电话才修好，每次都要从头说。"),
         ("The engineer never turned up for the repair.", "说好的维修师傅一直没来。")),
        (("The engineer fixed my fault the same day, thank you!", "师傅当天就把故障修好了，谢谢！"),)),
    "renewal": (
        (("Loyal for years and new customers get a better deal. Not fair.",
          "老用户这么多年，新用户反而更便宜，不公平。"),
         ("The renewal offer was poor.", "续约优惠太差了。")),
        (("A fair renewal price without haggling.", "续约价格公道，不用讨价还价。"),)),
    "porting": (
        (("Moving my number took over a week.", "携号转网等了一个多星期。"),
         ("Number porting failed twice.", "携号转网失败了两次。")),
        (("Porting my number was done in a day.", "携号转网一天就办好了。"),)),
    "app": (
        (("The app keeps logging me out.", "App老是自动退出登录。"),
         ("The app said <error 500> when I tried to pay.", "在App里付款时显示 <error 500>。")),
        (("The app is excellent, I top up in seconds.", "App很好用，几秒钟就能充值。"),
         ("Easy to check my usage in the app.", "在App里查用量很方便。"))),
    "staff": (
        (("The shop assistant pushed a phone I did not need.", "店员一直推销我不需要的手机。"),
         ("Chat support answers were copy and paste.", "在线客服的回复都是复制粘贴。")),
        (("Friendly staff, quick answers on chat.", "店员热情，在线客服回复很快。"),
         ("Priya Shah in the store was really helpful.", "门店的王伟很耐心，帮了大忙。"))),
    "esim": (
        (("Setting up the eSIM on my new phone failed.", "新手机上的eSIM激活失败了。"),
         ("No help with the eSIM transfer.", "eSIM转移没人帮忙。")),
        (("eSIM activation was instant.", "eSIM马上就激活了。"),)),
}
# A comment that raises no theme; and personal details some customers add.
_PLAIN = (("Nothing special, does the job.", "中规中矩，能用。"), ("OK overall.", "总体还行。"))
_CONTACT = ((" Call me on (212) 555-0147.", "请打 138 0013 8000 联系我。"),
            (" Email me at sam.taylor@example.com.", "邮件发到 sam.taylor@example.com。"))

# Journey types: the touchpoints a journey passes, and how often each type occurs.
_JOURNEYS = (
    (("website_plans", "coverage_checker", "online_checkout", "credit_check",
      "number_porting", "sim_activation"), 0.15),
    (("app_account", "first_bill", "billing_query"), 0.30),
    (("network_quality", "fault_repair", "app_account"), 0.20),
    (("app_account", "plan_upgrade", "contract_renewal"), 0.15),
    (("roaming", "app_account"), 0.10),
    (("app_account", "loyalty_rewards", "referral"), 0.10),
)

#: The touchpoints' owners as a Chinese client names its departments.
_OWNERS_ZH = {"Billing": "计费部", "Customer Service": "客户服务部", "Digital": "数字渠道部",
              "Finance": "财务部", "Marketing": "市场部", "Network": "网络部",
              "Operations": "运营部", "Product": "产品部", "Retail": "零售门店",
              "Retention": "客户保留部", "Sales": "销售部", "Technical Support": "技术支持部"}
_FUNCTIONS = {"en": ("Executive", "Sales", "Customer Service", "Marketing", "IT",
                     "Finance", "Retail"),
              "zh": ("管理层", "销售", "客户服务", "市场", "信息技术", "财务", "零售门店")}
#: Maturity of each element at the baseline, on the 1-5 scale.
_MATURITY = {"B1": 3.3, "B2": 3.5, "B3": 3.0, "B4": 3.0, "B5": 2.6, "B6": 2.9, "B7": 2.3,
             "B8": 2.4, "B9": 2.5, "C1": 3.0, "C2": 2.7, "C3": 2.6, "C4": 2.2, "G1": 2.1,
             "G2": 1.9, "G3": 2.4, "G4": 2.6, "G5": 1.8, "A1": 2.8, "A2": 2.2, "A3": 2.7,
             "A4": 2.9, "A5": 2.4, "A6": 2.6, "A7": 2.3, "MT": 3.4}
#: Elements planted to improve from wave 1 to wave 2, and by how much.
IMPROVING = {"B7": 0.8, "B8": 0.7, "G2": 0.7, "C2": 0.6}
#: Elements planted to get worse in wave 2.
WORSENING = {"B6": -0.7}
#: Element on which functions disagree most: function index -> offset.
ALIGNMENT_GAP = ("B4", {0: 1.5, 2: -1.2, 6: -1.0})

# Interview excerpts: interview, role, touchpoint, theme, sentiment, English, Chinese.
# Interviews I11-I13 were held in Mandarin, so their quotes stay Chinese in English reports.
_SPOKEN_ZH = ("I11", "I12", "I13")
_EXCERPTS = (
    ("I01", "customer", "number_porting", "process", -2,
     "Moving my number took nine days. Nobody told me why, and I had no phone for work.",
     "转网用了九天，没人告诉我原因，我工作上一直没有手机用。"),
    ("I01", "customer", "first_bill", "billing clarity", -2,
     "The first bill was almost double what the shop quoted. I emailed anna.k@example.com "
     "twice and got no reply.",
     "第一张账单几乎是门店报价的两倍。我给 anna.k@example.com 发了两次邮件，都没有回复。"),
    ("I01", "customer", "sim_activation", "speed", 1,
     "The SIM arrived the next morning and worked straight away.",
     "SIM卡第二天早上就到了，插上马上就能用。"),
    ("I01", "customer", "network_quality", "coverage", 1,
     "Coverage at home and on the train is better than with my old provider.",
     "家里和火车上的信号都比我以前的运营商好。"),
    ("I02", "customer", "fault_repair", "resolution", -2,
     "My broadband dropped every evening for three weeks. Each call started from zero.",
     "我的宽带连续三周每晚掉线，每次打电话都要从头说一遍。"),
    ("I02", "customer", "fault_repair", "follow-up", -1,
     "The engineer, James Carter, promised to call me back on +44 20 7946 0958 and never did.",
     "工程师 James Carter 答应打 +44 20 7946 0958 给我回电，但一直没打。"),
    ("I02", "customer", "app_account", "self-service", 1,
     "The app shows my data use clearly; I check it every week.",
     "App里流量用量显示得很清楚，我每周都会看。"),
    ("I02", "customer", "billing_query", "resolution", 1,
     "When I got through about the bill, the agent fixed it in one call.",
     "打电话问账单时，客服一次就解决了。"),
    ("I03", "customer", "contract_renewal", "loyalty", -2,
     "New customers get a better price than I do after six years. That is when I started "
     "looking around.",
     "新客户的价格比我这个六年的老客户还便宜，从那时起我开始考虑换运营商。"),
    ("I03", "customer", "contract_renewal", "fairness", -1,
     "The renewal letter had no real offer, just the same price for a longer contract.",
     "续约信里没有实际优惠，只是同样的价格加更长的合约。"),
    ("I03", "customer", "loyalty_rewards", "value", 1,
     "The birthday data bonus is a nice touch.",
     "生日送流量这个小细节挺贴心的。"),
    ("I03", "customer", "store_advice", "sales pressure", -1,
     "In the store they pushed an expensive handset I didn't need.",
     "门店员工一直向我推销我不需要的昂贵手机。"),
    ("I04", "customer", "website_plans", "clarity", 1,
     "The plan comparison on the website is clear; I could see the cost over two years.",
     "网站上的套餐对比很清楚，能看到两年的总费用。"),
    ("I04", "customer", "coverage_checker", "accuracy", 0,
     "The map said 5G at my address; indoors it is 4G. Not a big deal.",
     "覆盖地图显示我家有5G，室内其实只有4G，不算大问题。"),
    ("I04", "customer", "online_checkout", "ease", 2,
     "Ordering online took five minutes, the easiest purchase I've made this year.",
     "网上下单只用了五分钟，是我今年最轻松的一次购物。"),
    ("I04", "customer", "credit_check", "transparency", -1,
     "The credit check asked for my documents twice and didn't say why.",
     "信用审核要了两次材料，也没解释为什么。"),
    ("I05", "customer", "store_advice", "sales pressure", -2,
     "Maria Lopez at the store kept saying the offer ends today. It felt like a used-car lot.",
     "门店的 Maria Lopez 一直说优惠今天就结束，感觉像在二手车行。"),
    ("I05", "customer", "store_advice", "knowledge", -1,
     "Nobody in the shop could answer a simple question about roaming in Europe.",
     "门店员工连欧洲漫游的简单问题都答不上来。"),
    ("I05", "customer", "roaming", "cost", 1,
     "Roaming worked on landing and the price text was clear.",
     "一落地漫游就能用，资费短信也写得很清楚。"),
    ("I05", "customer", "referral", "reward", 1,
     "I referred my sister and we both got the credit without chasing it.",
     "我推荐了我妹妹，我们俩都拿到了奖励，不用催。"),
    ("I06", "agent", "billing_query", "tools", 1,
     "For bill questions we have a good guide and can credit up to 20 dollars ourselves.",
     "处理账单问题我们有很好的指引，还可以自行退还最多20美元。"),
    ("I06", "agent", "fault_repair", "tools", -2,
     "We can't see what the customer already tried in the app, so we ask them to restart "
     "the router again.",
     "我们看不到客户在App里已经试过什么，只能让他们再重启一次路由器。"),
    ("I06", "agent", "live_chat", "security", -1,
     "Someone typed <script>alert('x')</script> into the chat box and our console showed "
     "it as code.",
     "有人在聊天框里输入 <script>alert('x')</script>，我们的后台直接把它显示成代码。"),
    ("I06", "agent", "number_porting", "process", -2,
     "Porting depends on the other operator. We can't give the customer a date.",
     "转网要依赖对方运营商，我们没办法给客户一个确定日期。"),
    ("I07", "agent", "first_bill", "billing clarity", -2,
     "Half my calls in a customer's first month are about the first bill: the part-month "
     "charge confuses everyone.",
     "新客户第一个月里，我一半的来电都是关于首张账单的：不足一个月的按天计费让所有人都搞不清。"),
    ("I07", "agent", "app_account", "self-service", -1,
     "When a payment fails the app sends people to us, but we can't see the reason code.",
     "付款失败时App会让客户来找我们，但我们看不到失败原因。"),
    ("I07", "agent", "plan_upgrade", "channel switching", -1,
     "Upgrades started in the app end up with us because the app can't do family plans.",
     "在App里开始的升级最后都转到我们这里，因为App办不了家庭套餐。"),
    ("I07", "agent", "review_response", "speed", 1,
     "The social team answers public complaints within the hour, which calms things down.",
     "社交媒体团队一小时内回复公开投诉，能让事情平息下来。"),
    ("I08", "store manager", "store_advice", "targets", -1,
     "Our targets are handset sales, so the advice leans that way. I know it.",
     "我们的考核指标是手机销量，所以推荐会偏向这个，我心里清楚。"),
    ("I08", "store manager", "store_advice", "training", 0,
     "New staff get two days of product training and nothing on the customer journey.",
     "新员工只有两天产品培训，没有任何关于客户旅程的内容。"),
    ("I08", "store manager", "handset_offer", "value", 1,
     "The bundle offers are genuinely competitive this year.",
     "今年的合约机优惠确实很有竞争力。"),
    ("I08", "store manager", "contract_renewal", "authority", -1,
     "I can't match a competitor's price for an existing customer without approval from "
     "two levels up.",
     "老客户要求按竞争对手价格续约时，我需要上两级经理批准。"),
    ("I09", "billing manager", "first_bill", "process", -1,
     "We know about the part-month problem. The fix has been on the IT backlog since spring.",
     "按天计费的问题我们知道，修复方案从春天起就一直在IT待办清单里。"),
    ("I09", "billing manager", "billing_query", "resolution", 1,
     "First-contact resolution on billing calls is 81 percent, the best in the contact centre.",
     "账单来电的首次解决率是81%，是整个呼叫中心最高的。"),
    ("I09", "billing manager", "credit_check", "policy", 0,
     "Finance sets the credit rules; we apply them.",
     "信用规则由财务部门制定，我们只是执行。"),
    ("I10", "network engineer", "network_quality", "coverage", 1,
     "We added 140 sites last year; the dropped-call rate is down by a third.",
     "去年我们新增了140个基站，掉话率下降了三分之一。"),
    ("I10", "network engineer", "fault_repair", "handover", -1,
     "Tickets bounce between the contact centre and field teams; nobody owns the customer.",
     "工单在呼叫中心和现场团队之间来回转，没人对客户负责到底。"),
    ("I10", "network engineer", "roaming", "reliability", 1,
     "We renegotiated roaming partners, so data abroad works in 120 countries.",
     "我们重新谈了漫游合作伙伴，现在120个国家都能用数据。"),
    ("I11", "customer", "first_bill", "billing clarity", -2,
     "I couldn't understand the first bill. I called 王伟 on 138 0013 8000 and he couldn't "
     "explain it either.",
     "第一个月的账单看不懂，好几项费用从来没人跟我说过。我打 138 0013 8000 找王伟，他也解释不清。"),
    ("I11", "customer", "number_porting", "waiting", -2,
     "Porting took over a week, and each side said it was the other's problem.",
     "转网等了一个多星期，期间两边都说是对方的问题。"),
    ("I11", "customer", "app_account", "self-service", 2,
     "The app is great; topping up and checking data is easy.",
     "App很好用，充值、查流量都很方便。"),
    ("I11", "customer", "loyalty_rewards", "value", 0,
     "The points don't buy much, but it's better than nothing.",
     "积分能换的东西不多，但聊胜于无。"),
    ("I12", "customer", "contract_renewal", "loyalty", -2,
     "Renewing as an old customer costs more; 李娜 told me the system sets the price.",
     "老客户续约反而更贵，李娜跟我说这是系统定的价，没办法。"),
    ("I12", "customer", "fault_repair", "resolution", -2,
     "I reported the fault three times before anyone came, describing it again each time.",
     "网络故障报修三次才有人上门，每次都要重新描述问题。"),
    ("I12", "customer", "store_advice", "sales pressure", -1,
     "The shop assistant kept selling when I only wanted to ask a question.",
     "门店店员一直推销，我只是想问个问题。"),
    ("I12", "customer", "social_media", "brand", 1,
     "The adverts are well made; they were what first made me notice the brand.",
     "广告拍得不错，让我第一次注意到这个品牌。"),
    ("I13", "customer", "tv_advert", "brand", 1,
     "The 'no speed cap' line in the TV advert really appealed to me.",
     "电视广告里说的“不限速”让我很心动。"),
    ("I13", "customer", "promo_offer", "value", 1,
     "The welcome offer is real value: half price for three months.",
     "新用户优惠很实在，前三个月半价。"),
    ("I13", "customer", "billing_query", "resolution", 1,
     "When the bill was wrong the agent was patient and refunded me on the spot; the "
     "confirmation came to wang.wei@example.cn.",
     "账单有问题打客服，对方很耐心，当场就退了钱，确认邮件也发到了 wang.wei@example.cn。"),
    ("I13", "customer", "sales_call", "pressure", 0,
     "The sales calls are a bit frequent, but polite.",
     "销售电话有点多，但态度还行。"),
    ("I14", "sales advisor", "sales_call", "targets", 0,
     "Outbound calls are scripted and customers can tell.",
     "外呼电话都有固定话术，客户听得出来。"),
    ("I14", "sales advisor", "live_chat", "speed", 1,
     "Chat before purchase converts well; most answers take under two minutes.",
     "购买前的在线咨询转化率很高，大部分问题两分钟内就能回答。"),
    ("I14", "sales advisor", "promo_offer", "clarity", 0,
     "The welcome offer terms are long; we spend time explaining the small print.",
     "新用户优惠条款很长，我们要花时间解释细则。"),
    ("I14", "sales advisor", "referral", "reward", 1,
     "Referral credits are applied automatically now, so I no longer hear complaints.",
     "推荐奖励现在自动发放，我这里不再有相关投诉。"),
)
#: Personal names in the quotes, declared in client.yml so reports redact them.
REDACT = ("Maria Lopez", "James Carter", "Priya Shah", "王伟", "李娜")


def make_client(folder: str | Path, n_respondents: int = 2000, seed: int = 7,
                name: str | None = None, language: str = "en", n_staff: int = 30) -> Path:
    """Write a complete demo client folder and return its path.

    Parameters
    ----------
    folder: the client folder to create or overwrite.
    n_respondents: survey respondents, each a customer in the CRM extract.
    seed: the same seed and sizes give byte-identical files.
    name: the client's name; default a fictional telecom named in `language`.
    language: "en" or "zh"; changes names, labels (segment headers, owners, interview
        roles and themes among them) and quotes, never the structure.
    n_staff: staff answering the maturity assessment in each wave.

    Returns
    -------
    The folder, as a `Path`.
    """
    if language not in NAMES:
        raise ValueError(f"language must be one of {', '.join(NAMES)}, got {language!r}")
    if n_respondents < 1 or n_staff < len(_FUNCTIONS["en"]):
        raise ValueError("need at least 1 respondent and one staff member per function")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    survey, crm = _customers(np.random.default_rng([seed, 1]), n_respondents, language, seed)
    _write_csv(folder / "survey.csv", survey)
    crm_file = "crm.xlsx" if n_respondents <= EXCEL_MAX_ROWS else "crm.csv"
    if crm_file.endswith(".xlsx"):
        _write_xlsx(folder / crm_file, "Customers", crm)
    else:
        _write_csv(folder / crm_file, crm)
    _write_text_csv(folder / "touchpoints.csv", _touchpoint_table(language))
    _write_xlsx(folder / "interviews.xlsx", "Excerpts", _interviews(language))
    customers = survey["CustomerID"][0]
    _write_csv(folder / "events.csv", _events(np.random.default_rng([seed, 2]), customers))
    _write_xlsx(folder / "assessment.xlsx", "Responses",
                _assessment(np.random.default_rng([seed, 3]), n_staff, language))
    config = _config(name or NAMES[language], language, seed, n_respondents, crm_file)
    (folder / "codebook.yml").write_text(_codebook(), encoding="utf-8")
    (folder / "client.yml").write_text(config, encoding="utf-8")
    return folder


# --- survey and CRM ---------------------------------------------------------------------

def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers such as C0001234, as a NumPy string array."""
    return np.strings.add(prefix, np.strings.zfill(numbers.astype(np.str_), width))


def _rating(rng: np.random.Generator, mean, sd: float, low: int, high: int) -> np.ndarray:
    """Whole-number ratings: a normal latent score rounded and clipped to the scale."""
    noise = rng.standard_normal(len(mean), dtype=np.float32)
    return np.clip(np.rint(mean + sd * noise), low, high).astype(np.int8)


def _coded(values: np.ndarray, asked: np.ndarray, refused: np.ndarray) -> tuple:
    """A rating column as pool codes: the value, -99 where refused, empty where not asked."""
    codes = values.astype(np.uint8)            # codes 0-10 are the values themselves
    codes[refused] = 11
    codes[~asked] = 12
    return codes, _RATING_POOL


_RATING_POOL = tuple(str(v) for v in range(11)) + ("-99", "")


def _segment_moments() -> tuple[float, float]:
    """Mean and variance of the summed segment effects on loyalty."""
    mean, variance = 0.0, 0.0
    for shares, _, _, effects in _SEGMENTS.values():
        p, e = np.asarray(shares), np.asarray(effects)
        mean += p @ e
        variance += p @ e ** 2 - (p @ e) ** 2
    return mean, variance


def _customers(rng: np.random.Generator, n: int, language: str,
               seed: int = 7) -> tuple[dict, dict]:
    """Survey answers and CRM outcomes, both driven by one latent loyalty per customer."""
    cust_numbers = 1_000_000 + 3 * np.arange(n) + rng.integers(0, 3, n)
    order = rng.permutation(n)                 # survey rows arrive in response order
    days = rng.integers(0, 42, n).astype("timedelta64[D]") + np.datetime64("2025-02-03")
    survey = {"ResponseId": (_ids("R_", np.arange(1, n + 1), 7), None),
              "RecordedDate": (np.sort(days).astype(str), None),
              "CustomerID": (_ids("C", cust_numbers[order], 7), None)}
    segments = {column: (rng.choice(len(shares), n, p=shares).astype(np.uint8),
                         _escape(zh if language == "zh" else en))
                for column, (shares, en, zh, _) in _SEGMENTS.items()}
    named = {_segment_column(c, language): v for c, v in segments.items()}
    general = rng.standard_normal(n, dtype=np.float32)
    own = rng.standard_normal((len(_TOUCHPOINTS), n), dtype=np.float32)
    loyalty = _loyalty(rng, general, own, {c: v[0] for c, v in segments.items()})
    nps = np.clip(np.rint(7.95 + 2.0 * loyalty + 0.9 * rng.standard_normal(n)), 0, 10)
    effort = np.clip(np.rint(3.4 - 0.9 * loyalty + 1.1 * rng.standard_normal(n)), 1, 7)
    survey["Q1"] = _coded(nps, np.ones(n, bool), rng.random(n) < 0.01)
    survey["Q2"] = _coded(effort, np.ones(n, bool), rng.random(n) < 0.03)
    survey.update(named)
    survey.update(_touchpoint_ratings(rng, general, own))
    survey["Q12"] = _comments(rng, nps, language, seed)
    # Outcomes are drawn per survey row; the CRM lists customers in id order.
    row_of = np.empty(n, dtype=np.int64)
    row_of[order] = np.arange(n)
    outcomes = _outcomes(rng, loyalty, segments["Plan"][0])
    crm = {"cust": (_ids("C", cust_numbers, 7), None)}
    crm.update({name: (values[row_of], None) for name, values in outcomes.items()})
    return survey, crm


def _loyalty(rng: np.random.Generator, general: np.ndarray, own: np.ndarray,
             segments: dict) -> np.ndarray:
    """Standardised latent loyalty: general mood, segment, and the driver touchpoints."""
    loyalty = 0.5 * general + 0.6 * rng.standard_normal(len(general), dtype=np.float32)
    for column, codes in segments.items():
        loyalty += np.asarray(_SEGMENTS[column][3], dtype=np.float32)[codes]
    for tp, weight in DRIVERS.items():
        loyalty += weight * own[TOUCHPOINT_IDS.index(tp)]
    # Standardise with the model's own moments, so loyalty means the same at any size.
    centre, variance = _segment_moments()
    variance += 0.5 ** 2 + 0.6 ** 2 + sum(w ** 2 for w in DRIVERS.values())
    return (loyalty - centre) / np.sqrt(variance)


def _touchpoint_ratings(rng: np.random.Generator, general: np.ndarray,
                        own: np.ndarray) -> dict:
    """Q5_k perception, Q6_k expectation, Q7_k importance for the touchpoints each used."""
    n = len(general)
    strictness = rng.standard_normal(n, dtype=np.float32)   # some people expect more
    ratings = {}
    for k, tp in enumerate(_TOUCHPOINTS, start=1):
        touched = rng.random(n) < tp[4]
        perception = _rating(rng, tp[5] + tp[6] + 0.75 * (0.3 * general + 0.95 * own[k - 1]),
                             0.45, 1, 5)
        expectation = _rating(rng, tp[5] + 0.35 * strictness, 0.6, 1, 5)
        importance = _rating(rng, np.full(n, tp[7], dtype=np.float32), 0.7, 1, 5)
        for q, values in (("Q5", perception), ("Q6", expectation), ("Q7", importance)):
            ratings[f"{q}_{k}"] = _coded(values, touched, touched & (rng.random(n) < 0.012))
    return {c: ratings[c] for q in ("Q5", "Q6", "Q7") for c in ratings if c.startswith(q)}


def _comments(rng: np.random.Generator, nps: np.ndarray, language: str, seed: int) -> tuple:
    """Open comments from about three in ten respondents, on the planted themes of their group.

    Two draws of the survey's generator say who comments (kept as they were, so the rest of
    the survey does not move); the words come from a generator of their own.
    """
    rng.random(len(nps))
    commenting = rng.random(len(nps)) < 0.3
    words = np.random.default_rng([seed, 4])
    group = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))
    texts = np.full(len(nps), "", dtype=object)
    themes = dict(COMMENT_THEMES)
    themes[UNCODED_THEME[0]] = ((), (UNCODED_THEME[1],) * 3)
    for row in np.flatnonzero(commenting):
        zh = (language == "zh") != (words.random() < OTHER_LANGUAGE)
        parts = []
        for theme, (_, shares) in themes.items():
            if words.random() < shares[group[row]]:
                negative = group[row] == 0 or (group[row] == 1 and words.random() < 0.5)
                pool = _FRAGMENTS[theme][0 if negative else 1]
                parts.append(pool[int(words.random() * len(pool))][zh])
        if not parts:
            parts.append(_PLAIN[int(words.random() * len(_PLAIN))][zh])
        if words.random() < 0.02:
            parts.append(_CONTACT[int(words.random() * len(_CONTACT))][zh].strip())
        texts[row] = ("" if zh else " ").join(parts[:3])
    return np.asarray(_escape(tuple(texts)), dtype=object).astype(str), None


def _codebook() -> str:
    """The demo client's codebook.yml: the planted themes (not the uncoded one), by touchpoint."""
    keywords = {
        "billing": ("Bills and charges", "账单与收费", "[bill, billing, charge*, fee, fees]",
                    "[账单, 收费, 开通费]"),
        "network": ("Network and coverage", "网络与信号", "[signal, coverage, network, data]",
                    "[信号, 网络, 网速]"),
        "repair": ("Fault repair", "故障维修", "[fault, repair, engineer, fix*]",
                   "[故障, 维修, 修好, 师傅]"),
        "renewal": ("Renewal and loyalty", "续约与老客户", "[renewal, loyal*, new customers]",
                    "[续约, 老用户, 新用户]"),
        "porting": ("Moving my number", "携号转网", "[porting, moving my number]", "[携号转网, 转网]"),
        "app": ("The app", "App", "[app]", "[App]"),
        "staff": ("Staff and chat", "员工与在线客服", "[staff, shop assistant, chat, store]",
                  "[店员, 客服, 门店]"),
    }
    lines = ["# Demo client's themes (cxlib.inputs.demo): keywords per language, and the",
             "# touchpoints each theme is about. See templates/codebook.yml for the format.",
             "themes:"]
    for theme, (touchpoints, _) in COMMENT_THEMES.items():
        en, zh, en_words, zh_words = keywords[theme]
        lines += [f"  {theme}:", f"    name: {{en: {en}, zh: {zh}}}",
                  f"    touchpoints: [{', '.join(touchpoints)}]",
                  f"    en: {en_words}", f"    zh: {zh_words}"]
    return "\n".join(lines) + "\n"


def _outcomes(rng: np.random.Generator, loyalty: np.ndarray, plan: np.ndarray) -> dict:
    """Retention, revenue and share of wallet, each rising with loyalty."""
    n = len(loyalty)
    retained = rng.random(n) < 1 / (1 + np.exp(-(1.75 + 0.8 * loyalty)))
    # Customers who leave pay for only part of the year.
    revenue = (np.asarray(_PLAN_REVENUE)[plan]
               * np.exp(0.18 * loyalty + 0.3 * rng.standard_normal(n))
               * np.where(retained, 1.0, rng.uniform(0.4, 1.0, n)))
    share = 1 / (1 + np.exp(-(0.3 + 0.6 * loyalty + 0.6 * rng.standard_normal(n))))
    return {"active_next_year": retained.astype(np.int8), "rev_12m": np.round(revenue, 2),
            "sow": np.round(np.clip(share, 0.02, 1.0), 3)}


# --- other files ------------------------------------------------------------------------

def _touchpoint_table(language: str) -> dict:
    """The touchpoint catalogue as columns of text."""
    names = (8, 9, 10) if language == "en" else (11, 12, 13)
    table = {"id": [t[0] for t in _TOUCHPOINTS]}
    table["name"] = [t[names[0]] for t in _TOUCHPOINTS]
    table["stage"] = [t[1] for t in _TOUCHPOINTS]
    table["channel"] = [t[2] for t in _TOUCHPOINTS]
    table["owner"] = [t[3] if language == "en" else _OWNERS_ZH[t[3]] for t in _TOUCHPOINTS]
    table["description"] = [t[names[1]] for t in _TOUCHPOINTS]
    table["expectation"] = [t[names[2]] for t in _TOUCHPOINTS]
    return table


#: Interviewees' roles and the coders' themes as a Chinese team writes them.
_ROLES_ZH = {"customer": "客户", "agent": "坐席", "billing manager": "计费经理",
             "sales advisor": "销售顾问", "network engineer": "网络工程师",
             "store manager": "门店经理"}
_THEMES_ZH = {
    "accuracy": "准确性", "authority": "授权", "billing clarity": "账单清晰度", "brand": "品牌",
    "channel switching": "渠道切换", "clarity": "清晰度", "cost": "成本", "coverage": "覆盖",
    "ease": "便捷", "fairness": "公平", "follow-up": "跟进", "handover": "交接",
    "knowledge": "专业知识", "loyalty": "忠诚", "policy": "政策", "pressure": "压力",
    "process": "流程", "reliability": "可靠性", "resolution": "问题解决", "reward": "回馈",
    "sales pressure": "销售压力", "security": "安全", "self-service": "自助服务",
    "speed": "速度", "targets": "考核指标", "tools": "工具", "training": "培训",
    "transparency": "透明度", "value": "性价比", "waiting": "等待"}


def _interviews(language: str) -> dict:
    """Coded interview excerpts in the client's language; Mandarin interviews stay Chinese."""
    rows = _EXCERPTS
    quote = [zh if language == "zh" or iv in _SPOKEN_ZH else en
             for iv, *_, en, zh in rows]
    role, theme = ((_ROLES_ZH, _THEMES_ZH) if language == "zh" else ({}, {}))
    return {"interview": [r[0] for r in rows], "role": [role.get(r[1], r[1]) for r in rows],
            "touchpoint": [r[2] for r in rows], "theme": [theme.get(r[3], r[3]) for r in rows],
            "sentiment": [r[4] for r in rows], "quote": quote}


def _events(rng: np.random.Generator, customers: np.ndarray) -> dict:
    """A journey event log where some self-service journeys switch to assisted service."""
    n_journeys = int(np.clip(round(1.25 * len(customers)), JOURNEYS_MIN, JOURNEYS_MAX))
    paths = [p for p, _ in _JOURNEYS]
    steps = max(len(p) for p in paths)
    path_tp = np.full((len(paths), steps), -1)
    for j, path in enumerate(paths):
        path_tp[j, :len(path)] = [TOUCHPOINT_IDS.index(t) for t in path]
    kind = rng.choice(len(paths), n_journeys, p=[w for _, w in _JOURNEYS])
    length = np.array([len(p) for p in paths])[kind]
    stop_early = rng.random(n_journeys) < 0.2
    length = np.where(stop_early, 1 + (rng.random(n_journeys) * (length - 1)).astype(int), length)
    to_assisted = np.full(len(TOUCHPOINT_IDS) + 1, 0.025)
    for tp, p in SWITCH_HOTSPOTS.items():
        to_assisted[TOUCHPOINT_IDS.index(tp)] = p

    assisted = rng.random(n_journeys) < 0.22          # journeys that start with an agent
    start = np.datetime64("2025-01-01T00:00:00") + rng.integers(
        0, 181 * 86400, n_journeys).astype("timedelta64[s]")
    clock = start.copy()
    tp_out, ch_out, ts_out, jn_out = [], [], [], []
    journey = np.arange(n_journeys)
    for s in range(steps):
        live = s < length
        tp = path_tp[kind, s]
        switch = live & (rng.random(n_journeys) < np.where(assisted, 0.12, to_assisted[tp]))
        # One event in the channel the customer is in, and a second after a switch.
        for mask, channel in ((live, assisted), (switch, ~assisted)):
            jn_out.append(journey[mask])
            tp_out.append(tp[mask])
            ch_out.append(channel[mask])
            ts_out.append(clock[mask])
            clock = clock + np.where(mask, rng.integers(60, 1800, n_journeys), 0).astype(
                "timedelta64[s]")
        assisted = np.where(switch, ~assisted, assisted)
        clock = clock + rng.exponential(4 * 3600, n_journeys).astype("timedelta64[s]")
    jn, tp, ch, ts = (np.concatenate(a) for a in (jn_out, tp_out, ch_out, ts_out))
    order = np.lexsort((ts, jn))
    who = rng.integers(0, len(customers), n_journeys)
    return {"customer": (customers[who][jn[order]], None),
            "journey": (_ids("J", jn[order] + 1, 6), None),
            "timestamp": (ts[order].astype(str), None),
            "channel": (ch[order].astype(np.uint8), ("self-service", "assisted")),
            "touchpoint": (tp[order].astype(np.uint8), TOUCHPOINT_IDS)}


def _item_bank() -> tuple[list[str], list[str]]:
    """Item ids and their elements, read from templates/item_bank.csv."""
    with paths.ITEM_BANK.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["item"] for r in rows], [r["element"] for r in rows]


def _assessment(rng: np.random.Generator, n_staff: int, language: str) -> dict:
    """Staff maturity ratings in two waves, with planted change and one alignment gap."""
    items, elements = _item_bank()
    functions = _FUNCTIONS[language]
    staff_function = rng.permutation(np.arange(n_staff) % len(functions))
    leniency = 0.35 * rng.standard_normal(n_staff)
    base = np.array([_MATURITY[e] for e in elements])
    change = np.array([IMPROVING.get(e, 0.0) + WORSENING.get(e, 0.0) for e in elements])
    gap_element, gap = ALIGNMENT_GAP
    offset = np.zeros((len(functions), len(items)))
    offset[0] += 0.3                                # executives rate everything higher
    for f, value in gap.items():
        offset[f, np.array(elements) == gap_element] += value
    columns: dict = {k: [] for k in ("respondent", "function", "wave", "item", "score")}
    for wave in (1, 2):
        # About one in ten staff miss the follow-up wave.
        present = np.ones(n_staff, bool) if wave == 1 else rng.random(n_staff) > 0.1
        mean = (base + (wave - 1) * change + offset[staff_function]
                + leniency[:, None])[present]
        scores = np.clip(np.rint(mean + 0.6 * rng.standard_normal(mean.shape)), 1, 5)
        who = np.flatnonzero(present)
        columns["respondent"] += [f"S{i + 1:03d}" for i in who for _ in items]
        columns["function"] += [functions[staff_function[i]] for i in who for _ in items]
        columns["wave"] += [wave] * scores.size
        columns["item"] += items * len(who)
        columns["score"] += scores.astype(int).ravel().tolist()
    return columns


def _config(name: str, language: str, seed: int, n: int, crm_file: str) -> str:
    """client.yml for the demo, with comments a consultant can learn the format from."""
    touchpoints = "\n".join(
        f"    {tp}: {{perception: Q5_{k}, expectation: Q6_{k}, importance: Q7_{k}, "
        f"scale: [1, 5]}}" for k, tp in enumerate(TOUCHPOINT_IDS, start=1))
    sheet = "\n  sheet: Customers" if crm_file.endswith(".xlsx") else ""
    redact = "\n".join(f"  - {json.dumps(r, ensure_ascii=False)}" for r in REDACT)
    _, en, zh, _ = _SEGMENTS["Region"]
    base = "\n".join(
        f"    {json.dumps(group, ensure_ascii=False)}: {{customers: {round(customers)}, "
        f"annual_revenue: {round(customers * revenue)}}}"
        for group, share, revenue in zip(zh if language == "zh" else en, *_BASE_REGIONS)
        for customers in [max(1, _BASE_PER_RESPONDENT * n * share)])
    return f"""\
# Demo client written by cxlib.inputs.demo (seed {seed}, {n} respondents). The data is invented.
client: {json.dumps(name, ensure_ascii=False)}   # shown in the report
language: {language}                # en or zh: the report's language
currency: USD
country: US                     # national phone formats redacted from every text shown
industry: telecom               # peer group in the portfolio benchmark (cx portfolio)

survey:
  file: survey.csv              # as exported by the survey tool
  respondent_id: ResponseId
  customer_id: CustomerID       # joins each answer to the CRM outcomes
  missing: [-99]                # -99: refused or did not know; an empty cell: not asked
  overall: {{nps: Q1}}            # Q1: how likely to recommend us, 0-10
  effort: {{column: Q2, scale: [1, 7]}}   # Q2: effort to get things done, 1 very low - 7 very high
  segments: [{", ".join(_segment_column(c, language) for c in _SEGMENTS)}]
  # Each respondent rated only the touchpoints they used: Q5_k how it was (perception),
  # Q6_k what they expected, Q7_k how much it matters, for touchpoint k below.
  touchpoints:
{touchpoints}
  comments: Q12                 # free text, optional

codebook: codebook.yml          # themes of the open comments and their touchpoints

outcomes:                       # CRM extract: one row per surveyed customer
  file: {crm_file}{sheet}
  customer_id: cust
  retained: active_next_year    # 1 = still a customer twelve months later
  revenue: rev_12m              # USD over the last 12 months
  share_of_wallet: sow          # 0-1

touchpoints: touchpoints.csv    # the journey map's touchpoints, stages and owners
interviews: {{file: interviews.xlsx, sheet: Excerpts}}   # coded interview excerpts
journeys: events.csv            # journey events: self-service or assisted, by touchpoint
assessment: {{file: assessment.xlsx, sheet: Responses}}  # staff maturity ratings, two waves

# The whole customer base, so revenue at risk and the what-if are scaled from the surveyed
# customers to it, region by region (the totals are the regions' sums).
customer_base:
  {_segment_column("Region", language)}:
{base}
materiality: 0.1%               # initiative revenue impacts under 0.1% of annual revenue: not shown as money

# Personal names removed from every text a report shows (e-mail addresses, phone
# numbers, card numbers and IBANs are always removed).
redact:
{redact}
"""


# --- writing files ----------------------------------------------------------------------

def _escape(values) -> tuple[str, ...]:
    """Quote text for a CSV field only where the field needs it."""
    return tuple(f'"{v.replace(chr(34), chr(34) * 2)}"' if any(c in v for c in ',"\n\r')
                 else v for v in values)


def _text_column(values: np.ndarray, pool, rows: slice) -> pa.Array:
    """One column of a row chunk as Arrow text: a pool lookup for codes, else the values."""
    if pool is not None:
        return pa.array(pool, pa.large_string()).take(pa.array(values[rows]))
    return pa.array(values[rows]).cast(pa.large_string())


def _write_csv(path: Path, columns: dict) -> None:
    """Write columns of (values, pool) as UTF-8 CSV lines, fast enough for millions of rows.

    Arrow's own CSV writer quotes every text field; joining text columns by hand gives
    the plain files survey tools export.
    """
    n = len(next(iter(columns.values()))[0])
    comma, newline = (pa.scalar(s, pa.large_string()) for s in (",", "\n"))
    with path.open("wb") as f:
        f.write((",".join(_escape(columns)) + "\n").encode("utf-8"))
        for start in range(0, n, _ROWS_PER_CHUNK):
            rows = slice(start, min(start + _ROWS_PER_CHUNK, n))
            parts = [_text_column(v, pool, rows) for v, pool in columns.values()]
            lines = pc.binary_join_element_wise(*parts, comma)
            lines = pc.binary_join_element_wise(lines, newline, pa.scalar("", pa.large_string()))
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
            body = memoryview(lines.buffers()[2])[offsets[lines.offset]:offsets[-1]]
            f.write(body)


def _write_text_csv(path: Path, table: dict) -> None:
    """Write a small table of text columns as a UTF-8 CSV."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(table)
        writer.writerows(zip(*table.values()))


def _write_xlsx(path: Path, sheet: str, columns: dict) -> None:
    """Write one sheet to a workbook whose bytes depend only on the data."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    wb.properties.creator = "cxlib.inputs.demo"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.create_sheet(sheet)
    ws.append(list(columns))
    values = [v[0].tolist() if isinstance(v, tuple) else list(v) for v in columns.values()]
    for row in zip(*values):
        ws.append(row)
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    # openpyxl stamps zip entries with the current time; restamp them.
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(entry.filename))


def main(argv: list[str] | None = None) -> None:
    """Command line: python -m cxlib.inputs.demo FOLDER [--respondents N] [--seed S] [--language zh]."""
    parser = argparse.ArgumentParser(prog="python -m cxlib.inputs.demo",
                                     description="Write a seeded demo client folder.")
    parser.add_argument("folder", help="client folder to write, e.g. data/clients/demo")
    parser.add_argument("--respondents", type=int, default=2000, help="survey respondents")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--language", choices=sorted(NAMES), default="en")
    parser.add_argument("--staff", type=int, default=30, help="staff in the assessment")
    parser.add_argument("--name", default=None, help="client name shown in the report")
    args = parser.parse_args(argv)
    make_client(args.folder, n_respondents=args.respondents, seed=args.seed, name=args.name,
                language=args.language, n_staff=args.staff)


if __name__ == "__main__":
    main()
