// ---
// id: shared_bank_account
// title_zh: 多户共用收款账户
// title_en: One bank account collects benefits for several unrelated households
// severity: high
// category: false_claims
// description: >
//   One account receives livelihood payments for recipients of three or more households
//   that are not related by household or by declared relation. Unrelated groups are counted
//   as households minus the household pairs linked by a declared relation, a lower bound on
//   the number of unrelated groups, so related families never inflate the count.
// params:
//   min_groups:
//     type: int
//     default: 3
//     help: unrelated households that make a shared account a finding
// explanation: "账户{account}共收取{households}户{people}人（{recipients:list}）的{programs:list}共{total:yuan}，其中至少{groups}户互无户籍或申报亲属关系。"
// ---
MATCH (a:BankAccount)<-[:INTO_ACCOUNT]-(d:Disbursement)<-[:RECEIVED]-(r:Person)
WITH a, collect(DISTINCT r) AS rs
WHERE size(rs) >= 2
UNWIND rs AS r
OPTIONAL MATCH (r)-[:MEMBER_OF]->(h:Household)
WITH a, rs, r, coalesce(h.household_id, 'person:' + r.id_number) AS hid
WITH a, rs, collect(DISTINCT hid) AS hids
WHERE size(hids) >= $min_groups
UNWIND rs AS x
OPTIONAL MATCH (x)-[:MEMBER_OF]->(hx:Household)
OPTIONAL MATCH (x)-[:RELATIVE_OF]-(y:Person)
OPTIONAL MATCH (y)-[:MEMBER_OF]->(hy:Household)
WITH a, rs, hids, coalesce(hx.household_id, 'person:' + x.id_number) AS h1,
     coalesce(hy.household_id, CASE WHEN y IS NULL THEN null ELSE 'person:' + y.id_number END) AS h2
WITH a, rs, hids,
     collect(DISTINCT CASE WHEN h2 IS NOT NULL AND h1 < h2 THEN h1 + '|' + h2 END) AS pairs0
WITH a, rs, hids,
     [p IN pairs0 WHERE p IS NOT NULL AND split(p, '|')[1] IN hids] AS pairs
WITH a, rs, hids, size(hids) - size(pairs) AS groups
WHERE groups >= $min_groups
UNWIND rs AS r
MATCH pr = (a)<-[:INTO_ACCOUNT]-(d:Disbursement)<-[:RECEIVED]-(r)
MATCH (d)-[:UNDER]->(prog:Program)
OPTIONAL MATCH pm = (r)-[:MEMBER_OF]->(:Household)
WITH a, hids, groups, collect(DISTINCT pr) AS prs, collect(DISTINCT pm) AS pms,
     collect(DISTINCT r.id_number) AS rids, collect(DISTINCT r.name) AS recipients,
     collect(DISTINCT prog.name) AS programs, collect(DISTINCT d) AS ds
RETURN [a.account_no] + rids AS subjects,
       prs + [p IN pms WHERE p IS NOT NULL] AS evidence,
       {account: a.account_no, households: size(hids), people: size(rids),
        recipients: recipients, programs: programs, groups: groups,
        total: reduce(t = 0, d IN ds | t + d.amount)} AS facts
