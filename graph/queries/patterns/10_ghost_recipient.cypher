// ---
// id: ghost_recipient
// title_zh: 领取人不在户籍或不属发放户
// title_en: Recipient not in the household register, or not in the paid household
// severity: high
// category: false_claims
// description: >
//   The recipient's ID number is not in the household register, or the payment record names
//   a household that does not contain the recipient.
// params: {}
// explanation: "{person}（{id_hint}）{reason}，仍领取{programs:list}{months}个月（{first}至{last}），共{total:yuan}。"
// ---
MATCH (r:Person) WHERE r.in_register = false
MATCH pr = (r)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog:Program)
WITH r, collect(pr) AS prs, collect(d.record_id) AS records, collect(DISTINCT prog.name) AS programs,
     min(d.period) AS first, max(d.period) AS last, count(DISTINCT d.period) AS months,
     sum(d.amount) AS total
RETURN [r.id_number] + records AS subjects, [r] + prs AS evidence,
       {person: r.name, id_hint: '身份证号不在户籍库', reason: '不在户籍登记中', programs: programs,
        months: months, first: first, last: last, total: total} AS facts
UNION ALL
MATCH (r:Person)-[:RECEIVED]->(:Disbursement)-[:FOR_HOUSEHOLD]->(h:Household)
// Membership tested once per recipient and household, not once per month paid.
WITH DISTINCT r, h WHERE coalesce(r.in_register, true) AND NOT (r)-[:MEMBER_OF]->(h)
MATCH (r)-[:RECEIVED]->(d:Disbursement)-[:FOR_HOUSEHOLD]->(h)
MATCH pr = (r)-[:RECEIVED]->(d)-[:UNDER]->(prog:Program)
MATCH ph = (d)-[:FOR_HOUSEHOLD]->(h)
WITH r, h, collect(pr) + collect(ph) AS ev, collect(d.record_id) AS records,
     collect(DISTINCT prog.name) AS programs, min(d.period) AS first, max(d.period) AS last,
     count(DISTINCT d.period) AS months, sum(d.amount) AS total
RETURN [r.id_number, h.household_id] + records AS subjects, ev AS evidence,
       {person: r.name, id_hint: '发放户' + h.household_id,
        reason: '不是发放记录所列户' + h.household_id + '的成员', programs: programs,
        months: months, first: first, last: last, total: total} AS facts
