// ---
// id: deceased_recipient
// title_zh: 死亡人员仍领取补贴
// title_en: Payments to a deceased person
// severity: high
// category: false_claims
// description: >
//   A person recorded as dead is paid for a period after the month of death.
// params: {}
// explanation: "{person}于{death_date}死亡，此后仍以其名义发放{programs:list}{months}个月（{first}至{last}），共{total:yuan}。"
// ---
MATCH (r:Person) WHERE r.death_date IS NOT NULL
MATCH pr = (r)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog:Program)
WITH r, pr, d, prog WHERE d.period > substring(r.death_date, 0, 7)
WITH r, collect(pr) AS prs, collect(d.record_id) AS records,
     collect(DISTINCT prog.name) AS programs, collect(DISTINCT d.period) AS periods,
     min(d.period) AS first, max(d.period) AS last, sum(d.amount) AS total
RETURN [r.id_number] + records AS subjects,
       [r] + prs AS evidence,
       {person: r.name, death_date: r.death_date, programs: programs, months: size(periods),
        first: first, last: last, total: total} AS facts
