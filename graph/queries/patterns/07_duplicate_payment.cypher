// ---
// id: duplicate_payment
// title_zh: 同一人同一项目同期重复发放
// title_en: Duplicate payment for the same person, programme and period
// severity: high
// category: false_claims
// description: >
//   The same person is paid by the same programme for the same period more than once,
//   in any village or household.
// params: {}
// explanation: "{person}在{period}期间被重复发放{program}{times}次（流水号{records:list}），共{total:yuan}。"
// ---
MATCH (r:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(p:Program)
WITH r, p, d.period AS period, collect(d) AS ds
WHERE size(ds) > 1
UNWIND ds AS d
MATCH pr = (r)-[:RECEIVED]->(d)-[:UNDER]->(p)
WITH r, p, period, collect(pr) AS prs, collect(d.record_id) AS records, sum(d.amount) AS total
RETURN [r.id_number] + records AS subjects,
       prs AS evidence,
       {person: r.name, period: period, program: p.name, times: size(records),
        records: records, total: total} AS facts
