// ---
// id: unbooked_income
// title_zh: 收入未入账或坐收坐支
// title_en: Income not booked, or spent before it was booked
// severity: high
// category: diversion
// description: >
//   Village income received and not entered in the books by `as_of` (marked not booked,
//   or booked only after `as_of`), or booked late while the village paid vouchers off
//   the books between receiving the money and booking it (坐收坐支: cash spent straight
//   from takings). Income received after `as_of` is not judged; income booked on the
//   day it came in is in order. The evidence holds the income, the village, who paid
//   it in, and the off-book vouchers paid from the village between receipt and booking.
// params:
//   min_amount:
//     type: money
//     default: 0
//     help: smallest income to report (fen)
// explanation: "{village}于{received}收到{payer}缴来的{source}{amount:yuan}（凭证{voucher}），{state}{spent}{spent_total:and_yuan}。"
// ---
MATCH (i:Income)
WHERE i.received_date IS NOT NULL AND i.received_date <= $as_of
  AND coalesce(i.amount, 0) >= $min_amount
  AND (i.booked = false OR i.booked_date > i.received_date)
WITH i,
     i.booked = false OR i.booked_date IS NULL OR i.booked_date > $as_of AS unbooked,
     CASE WHEN i.booked = false OR i.booked_date IS NULL OR i.booked_date > $as_of
          THEN $as_of ELSE i.booked_date END AS until
MATCH pv = (i)-[:RECEIVED_BY]->(v:Division)
// Vouchers the village paid off the books while the takings were still unbooked.
OPTIONAL MATCH ps = (v)<-[:PAID_BY]-(p:Payment)
WHERE p.booked = false AND p.paid_date >= i.received_date AND p.paid_date <= until
WITH i, unbooked, until, pv, v, p, ps
ORDER BY p.paid_date, p.voucher_no
WITH i, unbooked, until, pv, v, collect(ps) AS spent, collect(p.voucher_no) AS vouchers,
     sum(coalesce(p.amount, 0)) AS spent_total
WHERE unbooked OR size(spent) > 0
OPTIONAL MATCH pp = (i)-[:PAID_IN_BY]->(payer)
RETURN [i.voucher_no] AS subjects,
       [i, pv, pp] + spent AS evidence,
       {village: coalesce(v.name, i.village_code), received: i.received_date,
        payer: coalesce(payer.name, '付款方'), source: coalesce(i.source, '收入'),
        amount: i.amount, voucher: i.voucher_no,
        state: CASE WHEN unbooked THEN '截至' + $as_of + '未入账'
                    ELSE '迟至' + i.booked_date + '才入账' END,
        spent: CASE WHEN size(vouchers) = 0 THEN ''
                    ELSE '，其间以未入账凭证' + reduce(s = '', x IN vouchers | s + CASE WHEN s = '' THEN '' ELSE '、' END + x)
                         + '坐支' END,
        spent_total: CASE WHEN size(vouchers) = 0 THEN null ELSE spent_total END} AS facts,
       CASE WHEN size(spent) > 0 THEN 'high' ELSE 'medium' END AS severity
