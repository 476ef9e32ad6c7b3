// ---
// id: paid_beyond_delivery
// title_zh: 超进度（超验收量）付款
// title_en: Paid beyond delivery
// severity: high
// category: loss_waste
// description: >
//   The payments booked against a contract add up to more than the contract allows: more
//   than amount × delivered / contracted quantity when less was delivered (accepted) than
//   contracted — the 13-wells case: 96,000 yuan of 101,000 paid for 12 of 13 wells, when
//   93,230.77 yuan was due — or more than the contract amount itself. Both limits are
//   checked; the explanation says which were exceeded. Only payments made by `as_of`
//   count, and a delivered quantity only once it was accepted by then.
// params:
//   tolerance:
//     type: money
//     default: 100
//     help: overpayment up to this many fen is ignored (rounding of pro-rata amounts)
// explanation: "{village}合同{contract}「{project}」承包方{contractor}，合同金额{amount:yuan}，{delivery}；已累计支付{paid:yuan}（凭证{vouchers:list}），{basis}应付不超过{limit:yuan}，超付{excess:yuan}{also}。"
// ---
MATCH (p:Payment)-[:FOR_CONTRACT]->(c:Contract)
WHERE c.amount IS NOT NULL AND p.amount IS NOT NULL
  AND (p.paid_date IS NULL OR p.paid_date <= $as_of)
// toInteger: FalkorDB's sum() returns a float even over integers.
WITH c, toInteger(sum(p.amount)) AS paid
WITH c, paid,
     c.quantity IS NOT NULL AND c.delivered_quantity IS NOT NULL AND c.quantity > 0
       AND c.delivered_quantity < c.quantity
       AND (c.accepted IS NULL OR c.accepted <= $as_of) AS short
// Pro-rata due in fen, kept as a float for the comparison and rounded for display only.
WITH c, paid, short,
     CASE WHEN short THEN c.amount * c.delivered_quantity / c.quantity ELSE c.amount END AS due
WITH c, paid, short, due,
     short AND paid > due + $tolerance AS beyond_delivery,
     paid > c.amount + $tolerance AS beyond_amount
WHERE beyond_delivery OR beyond_amount
// The vouchers, fetched again only for the contracts that are over the limit.
MATCH pp = (c)<-[:FOR_CONTRACT]-(p)
WITH c, paid, short, due, beyond_delivery, beyond_amount, p, pp
WHERE p.amount IS NOT NULL AND (p.paid_date IS NULL OR p.paid_date <= $as_of)
WITH c, paid, short, due, beyond_delivery, beyond_amount, p, pp ORDER BY p.voucher_no
WITH c, paid, short, due, beyond_delivery, beyond_amount,
     collect(pp) AS pays, collect(p.voucher_no) AS vouchers
// Quantities as text without engine-specific float formatting (FalkorDB prints 13.000000).
WITH c, paid, pays, vouchers, due, beyond_delivery, beyond_amount,
     [x IN [c.quantity, c.delivered_quantity] |
       CASE WHEN x IS NULL THEN null
            ELSE toString(toInteger(round(x * 100)) / 100)
                 + CASE WHEN toInteger(round(x * 100)) % 100 = 0 THEN ''
                        WHEN toInteger(round(x * 100)) % 10 = 0
                          THEN '.' + toString(toInteger(round(x * 100)) % 100 / 10)
                        WHEN toInteger(round(x * 100)) % 100 < 10
                          THEN '.0' + toString(toInteger(round(x * 100)) % 100)
                        ELSE '.' + toString(toInteger(round(x * 100)) % 100) END
       END] AS qs
OPTIONAL MATCH pa = (c)-[:AWARDED_TO]->(k)
OPTIONAL MATCH (c)-[:IN_DIVISION]->(v:Division)
WITH c, k, pa, v, paid, pays, vouchers, beyond_delivery, beyond_amount, qs[0] AS q, qs[1] AS d,
     coalesce(c.unit, '') AS unit,
     CASE WHEN beyond_delivery THEN toInteger(round(due)) ELSE c.amount END AS limit
RETURN [c.contract_id, coalesce(k.uscc, k.id_number, k.mention_id)] + vouchers AS subjects,
       [pa] + pays AS evidence,
       {village: coalesce(v.name, c.village_code), contract: c.contract_id,
        project: coalesce(c.project_name, '（未命名项目）'), contractor: coalesce(k.name, '（承包方不详）'),
        amount: c.amount, paid: paid, vouchers: vouchers, limit: limit, excess: paid - limit,
        delivery: CASE
          WHEN q IS NULL THEN '未约定工程量'
          WHEN d IS NULL THEN '合同工程量' + q + unit + '，尚未验收'
          ELSE '合同工程量' + q + unit + '，'
               + CASE WHEN c.accepted IS NULL THEN '' ELSE c.accepted + '验收' END
               + '实际完成' + d + unit
        END,
        basis: CASE WHEN beyond_delivery THEN '按验收工程量' + d + '/' + q + unit + '折算'
                    ELSE '按合同金额' END,
        also: CASE WHEN beyond_delivery AND beyond_amount THEN '，且已超过合同金额本身'
                   ELSE '' END} AS facts
