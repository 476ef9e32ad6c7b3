// ---
// id: public_consumption
// title_zh: 公款消费
// title_en: Public money spent on consumption
// severity: high
// category: consumption
// description: >
//   A voucher of a village or department account, at or above a threshold, paid to a
//   catering, accommodation, entertainment, tobacco/alcohol, gift or travel business (by
//   the registry's industry: a GB/T 4754 code such as division 62 catering, or its name),
//   or carrying a purpose such as 招待, 礼品, 烟酒 or 旅游. Vouchers paid after `as_of` are
//   not counted. The lists are parameters, so a commission can add its own words. The
//   evidence holds the voucher, its payer and payee, and who approved and handled it.
// params:
//   min_amount:
//     type: money
//     default: 100000
//     help: smallest voucher to report (fen; default 1,000 yuan)
//   industry_codes:
//     type: str_list
//     default: ['61', '62', '90', '5127', '5128', '5225', '5226', '7291']
//     help: GB/T 4754 code prefixes of consumption businesses (61 accommodation, 62 catering, 90 entertainment, tobacco/alcohol trade, 7291 travel agencies)
//   industry_words:
//     type: str_list
//     default: [餐饮, 正餐, 快餐, 住宿, 酒店, 宾馆, 饭店, 酒楼, 农家乐, 娱乐, 歌舞, KTV, 足浴, 烟草, 烟酒, 酒类, 礼品, 旅行社]
//     help: words in the payee's registered industry or name that mark a consumption business
//   purpose_words:
//     type: str_list
//     default: [招待, 宴请, 接待餐, 礼品, 烟酒, 旅游, 购物卡]
//     help: words in the voucher's purpose that mark consumption
// explanation: "{payer}于{paid_date}向{payee}{business}支付公款{amount:yuan}（凭证{voucher}，用途：{purpose}{people}），属{reasons:list}。"
// ---
MATCH (p:Payment)
WHERE coalesce(p.amount, 0) >= $min_amount
  AND (p.paid_date IS NULL OR p.paid_date <= $as_of)
MATCH pt = (p)-[:PAID_TO]->(k)
WITH p, pt, k,
     [w IN $purpose_words WHERE coalesce(p.purpose, '') CONTAINS w] AS by_purpose,
     CASE WHEN k:Enterprise
          THEN [c IN $industry_codes WHERE coalesce(k.industry_code, '') STARTS WITH c]
               + [w IN $industry_words WHERE coalesce(k.industry, '') CONTAINS w
                                          OR coalesce(k.name, '') CONTAINS w]
          ELSE [] END AS by_business
WHERE size(by_purpose) > 0 OR size(by_business) > 0
OPTIONAL MATCH pb = (p)-[:PAID_BY]->(payer)
WITH p, pt, k, pb, payer, by_purpose, by_business
OPTIONAL MATCH pw = (p)-[w:APPROVED_BY|HANDLED_BY]->(who)
WITH p, pt, k, pb, payer, by_purpose, by_business, pw,
     CASE WHEN who IS NULL THEN null
          ELSE CASE type(w) WHEN 'APPROVED_BY' THEN '审批人' ELSE '经办人' END
               + coalesce(who.name, '（未知姓名）') END AS person
// Sorted before collecting so that both engines name the people in one order.
ORDER BY person
WITH p, pt, k, pb, payer, by_purpose, by_business, collect(pw) AS pws, collect(person) AS people
RETURN [p.voucher_no, coalesce(k.uscc, k.id_number, k.mention_id)] AS subjects,
       [p, pt, pb] + pws AS evidence,
       {payer: coalesce(payer.name, p.payer_code, '（付款单位不详）'),
        paid_date: coalesce(p.paid_date, '（日期不详）'),
        payee: coalesce(k.name, '（收款方不详）'),
        business: CASE WHEN k.industry IS NULL THEN '' ELSE '（' + k.industry + '）' END,
        amount: p.amount, voucher: p.voucher_no, purpose: coalesce(p.purpose, '未注明'),
        people: reduce(s = '', x IN people | s + '，' + x),
        reasons: CASE WHEN size(by_business) > 0 THEN ['向消费类经营者付款'] ELSE [] END
                 + CASE WHEN size(by_purpose) > 0 THEN ['用途为' + by_purpose[0]] ELSE [] END} AS facts
