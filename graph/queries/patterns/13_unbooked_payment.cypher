// ---
// id: unbooked_payment
// title_zh: 村级支出未入账
// title_en: Payment not entered in the books
// severity: medium
// category: diversion
// description: >
//   A village finance voucher (or a department's payment) marked as not entered in the
//   books (booked = false): money left the account outside the ledger ("小金库" risk).
//   A voucher whose booking status is unknown is not reported. Vouchers paid after
//   `as_of` are not counted. The evidence holds the voucher, its payer and payee, the
//   contract it pays for, and who approved and handled it.
// params:
//   min_amount:
//     type: money
//     default: 0
//     help: smallest voucher to report (fen)
// explanation: "{payer}于{paid_date}向{payee}支付{amount:yuan}（凭证{voucher}，用途：{purpose}{contract}{people}），未入账。"
// ---
MATCH (p:Payment)
WHERE p.booked = false AND coalesce(p.amount, 0) >= $min_amount
  AND (p.paid_date IS NULL OR p.paid_date <= $as_of)
OPTIONAL MATCH pt = (p)-[:PAID_TO]->(k)
OPTIONAL MATCH pb = (p)-[:PAID_BY]->(payer)
OPTIONAL MATCH pc = (p)-[:FOR_CONTRACT]->(c:Contract)
WITH p, k, pt, pb, pc, payer, c
OPTIONAL MATCH pw = (p)-[w:APPROVED_BY|HANDLED_BY]->(who)
WITH p, k, pt, pb, pc, payer, c, pw,
     CASE WHEN who IS NULL THEN null
          ELSE CASE type(w) WHEN 'APPROVED_BY' THEN '审批人' ELSE '经办人' END
               + coalesce(who.name, '（未知姓名）') END AS person
// Sorted before collecting so that both engines name the people in one order.
ORDER BY person
WITH p, k, pt, pb, pc, payer, c, collect(pw) AS pws, collect(person) AS people
RETURN [p.voucher_no, coalesce(k.uscc, k.id_number, k.mention_id), c.contract_id] AS subjects,
       [p, pt, pb, pc] + pws AS evidence,
       {payer: coalesce(payer.name, p.payer_code, '（付款单位不详）'),
        paid_date: coalesce(p.paid_date, '（日期不详）'),
        payee: coalesce(k.name, '（收款方不详）'), amount: p.amount, voucher: p.voucher_no,
        purpose: coalesce(p.purpose, '未注明'),
        contract: CASE WHEN c IS NULL THEN '' ELSE '，合同' + c.contract_id END,
        people: reduce(s = '', x IN people | s + '，' + x)} AS facts
